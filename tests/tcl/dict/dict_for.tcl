set d {name Alice age 30 city Paris}
dict for {k v} $d { puts "$k -> $v" }
dict for {k v} {} { puts never }
set total 0
dict for {k v} {a 1 b 2 c 3} { if {$k eq "b"} continue; incr total $v }
puts $total
dict for {k v} {a 1 b 2 c 3} { if {$k eq "b"} break; puts $k }
catch {dict for {k} {a 1} {}} m; puts $m
catch {dict for {k v} {a} {}} m; puts $m
puts "<[dict for {k v} {a 1} {set k}]>"
