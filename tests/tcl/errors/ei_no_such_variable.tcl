catch {set x $undefined} m
puts $m
puts $::errorInfo
puts $::errorCode
proc p {} { return $alsoundefined }
catch p m
puts $::errorInfo
puts $::errorCode
set arr(a) 1
catch {set arr(b)} m
puts $m
puts $::errorCode
