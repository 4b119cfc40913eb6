set t0 [clock milliseconds]
after 50
set t1 [clock milliseconds]
puts [expr {$t1 - $t0 >= 45}]
puts "<[after 0]>"
after 1
puts done
catch {after -5} m; puts "<$m>"
catch {after abc} m; puts $m
