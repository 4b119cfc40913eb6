catch {throw {MY ERR} "my message"} m o
puts $m
puts [dict get $o -errorcode]
puts $::errorCode
catch {throw} m; puts $m
catch {throw a} m; puts $m
catch {throw {} msg} m; puts $m
catch {throw single msg} m o; puts "$m [dict get $o -errorcode]"
catch {throw "a {b c}" msg} m o; puts [lindex [dict get $o -errorcode] 1]
proc p {} { throw {APP FAIL 42} "app failed" }
catch p m; puts "$m | $::errorCode"
puts $::errorInfo
