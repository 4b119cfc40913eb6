puts [lsort -integer {9223372036854775807 -9223372036854775808 0 4294967296}]
catch {lsort -integer {1 100000000000000000000}} m; puts $m
puts [lsort -integer {8 010 9}]
puts [lsort -real {1e10 1.5e-3 -Inf Inf 0}]
puts [lsearch -integer {1 2 3} 0x2]
puts [lsearch -exact -integer {1 2 3} 0x2]
puts [lsearch -exact -integer {1 8 3} 010]
puts [lsearch -exact -real {1 2.0 3} 2]
puts [lsort -integer {-0 0 +1 1}]
puts [lsort -real {0.1 .2 1. 2}]
catch {lsort -real {NaN 1}} m; puts $m
