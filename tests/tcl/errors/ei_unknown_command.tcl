catch {nosuchcommand a b} m
puts $m
puts $::errorInfo
puts $::errorCode
proc p {} { undefined_thing 1 }
catch p m
puts $::errorInfo
puts $::errorCode
