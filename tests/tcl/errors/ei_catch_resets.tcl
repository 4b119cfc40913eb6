catch {error one} m
puts $::errorInfo
puts $::errorCode
catch {set ok 1} m
puts $::errorInfo
puts $::errorCode
catch {error two "" TWO} m
puts $::errorCode
catch {expr {1/0}} m
puts $::errorCode
set ::errorCode custom
set ::errorInfo customInfo
catch {set x 1} m
puts $::errorCode
puts $::errorInfo
