catch {string repeat abc -1x} m; puts $m
catch {string index abc end+} m; puts $m
puts $::errorInfo
catch {string bogus x} m; puts $m
puts $::errorCode
