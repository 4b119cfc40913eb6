catch {error "simple"} m
puts $m
puts $::errorInfo
puts $::errorCode
catch {error "with info" "custom info text"} m
puts $::errorInfo
catch {error "with code" "" {MY CODE 1}} m
puts $::errorCode
puts $::errorInfo
