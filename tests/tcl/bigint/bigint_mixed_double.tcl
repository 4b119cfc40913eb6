set big [expr {2**70}]
puts [expr {$big * 1.5}]
puts [expr {$big / 2.0}]
puts [expr {$big + 1e10}]
puts [expr {$big > 1e21}]
puts [expr {$big < 1e22}]
puts [expr {double($big) == $big}]
puts [expr {10**400 > 1e308}]
catch {expr {double(10**400)}} m; puts $m
