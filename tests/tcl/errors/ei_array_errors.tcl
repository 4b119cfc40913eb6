catch {array set a {1 2 3}} m
puts $m
puts $::errorInfo
catch {array get} m
puts $m
catch {array bogus a} m
puts $m
