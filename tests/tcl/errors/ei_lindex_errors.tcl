catch {lindex {a b} x} m
puts $m
puts $::errorCode
puts $::errorInfo
set bad "a \{b"
catch {lindex $bad 0} m
puts $m
puts $::errorCode
catch {lrange {a b} 0 bad} m
puts $m
catch {lindex {a b} end-x} m
puts $m
