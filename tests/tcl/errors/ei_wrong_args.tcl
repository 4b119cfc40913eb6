proc p {a b} {}
catch {p 1} m
puts $m
puts $::errorCode
puts $::errorInfo
catch {lindex} m
puts $m
puts $::errorCode
puts $::errorInfo
