proc bylen {a b} { expr {[string length $a] - [string length $b]} }
puts [lsort -command bylen {ccc a bb dddd}]
puts [lsort -command bylen -decreasing {ccc a bb dddd}]
proc cmpnum {a b} { if {$a < $b} {return -1} elseif {$a > $b} {return 1}; return 0 }
puts [lsort -command cmpnum {5 3 9 1}]
# stability: equal keys keep their original order
puts [lsort -command bylen {bb aa c dd b}]
puts [lsort -index 1 {{x 1} {y 0} {z 1} {w 0}}]
proc bad {a b} { return notanumber }
catch {lsort -command bad {a b}} m; puts $m
proc err {a b} { error "cmp failed" }
catch {lsort -command err {a b}} m; puts $m
