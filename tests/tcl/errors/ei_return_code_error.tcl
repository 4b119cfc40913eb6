proc p {} { return -code error "returned error" }
catch p m
puts $m
puts $::errorInfo
puts $::errorCode
proc q {} { return -code error -errorinfo "custom ei" -errorcode {X Y} "msg" }
catch q m
puts $::errorInfo
puts $::errorCode
proc r {} { p }
catch r m
puts $::errorInfo
