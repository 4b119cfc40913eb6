puts [lrepeat 3 a]
puts [lrepeat 2 a b]
puts [lrepeat 0 a]
puts [lrepeat 2 {x y}]
puts [llength [lrepeat 100 ab]]
puts "<[lrepeat 0]>"
puts [lrepeat 1 ""]
catch {lrepeat -1 a} m; puts $m
catch {lrepeat x a} m; puts $m
catch {lrepeat} m; puts $m
puts [lrepeat 3]
