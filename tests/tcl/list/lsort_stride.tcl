puts [lsort -stride 2 {b 2 a 1 c 3}]
puts [lsort -stride 2 -index 1 -integer {x 3 y 1 z 2}]
puts [lsort -stride 3 -decreasing {a 1 p b 2 q c 3 r}]
catch {lsort -stride 2 {a b c}} m; puts $m
catch {lsort -stride 1 {a b c}} m; puts $m
catch {lsort -stride 2 -index 2 {a b c d}} m; puts $m
