puts [expr {[expr {1 + 1}] * [expr {2 + 2}]}]
set e {$x + 1}
set x 41
puts [expr $e]
puts [expr "\$x - 1"]
puts [expr {"[string repeat a 3]" eq "aaa"}]
puts [expr {{abc} eq "abc"}]
