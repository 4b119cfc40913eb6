set l {apple banana cherry}
puts [expr {"apple" in $l}]
puts [expr {"grape" in $l}]
puts [expr {"grape" ni $l}]
puts [expr {"apple" ni $l}]
puts [expr {1 in {1 2 3}}]
puts [expr {"1" in {01 2}}]
puts [expr {"a b" in {{a b} c}}]
puts [expr {"" in {}}]
puts [expr {"x" in "x"}]
set bad "a {b"
catch {expr {"a" in $bad}} m; puts $m
