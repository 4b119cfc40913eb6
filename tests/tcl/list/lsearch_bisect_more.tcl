set l {1 3 5 7}
foreach v {0 1 2 3 6 7 8} { puts "$v -> [lsearch -sorted -integer -bisect $l $v]" }
puts [lsearch -sorted -bisect {apple banana cherry} blueberry]
puts [lsearch -sorted -bisect -decreasing -integer {9 7 5} 6]
catch {lsearch -bisect -all {1 2} 1} m; puts $m
