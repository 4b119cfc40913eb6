set calls 0
proc side {v} { global calls; incr calls; return $v }
puts [expr {0 && [side 1]}]
puts $calls
puts [expr {1 || [side 1]}]
puts $calls
puts [expr {1 && [side 0]}]
puts $calls
puts [expr {1 ? [side a] : [side b]}]
puts $calls
puts [expr {0 && $undefined}]
puts [expr {1 || [error boom]}]
puts [expr {0 ? [error boom] : "safe"}]
catch {expr {1 && [error boom]}} m; puts $m
