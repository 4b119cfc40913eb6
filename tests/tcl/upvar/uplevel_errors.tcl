catch {uplevel} m; puts $m
proc p {} { uplevel 3 {set x} }
catch p m; puts $m
proc q {} { uplevel 1 {nosuchcmd} }
catch q m; puts $m
puts $::errorInfo
proc r {} { uplevel 1 {error "from uplevel" info CODE} }
catch r m; puts "$m $::errorCode"
catch {uplevel 1 {set x}} m; puts $m
catch {uplevel #5 {set x}} m; puts $m
