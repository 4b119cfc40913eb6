catch {error} m; puts $m
catch {error a b c d} m; puts $m
puts $::errorCode
catch {error ""} m; puts "<$m>"
puts $::errorInfo
catch {error "multi\nline\nmessage"} m
puts $::errorInfo
