set a(1) x
catch {set a 2} m; puts $m
catch {incr a} m; puts $m
catch {append a z} m; puts $m
catch {lappend a z} m; puts $m
set s 1
catch {set s(1) 2} m; puts $m
catch {array set s {a b}} m; puts $m
catch {unset s(1)} m; puts $m
puts [array exists s]
puts [array exists a]
