proc p {} { catch {error hidden}; return ok }
puts [p]
puts $::errorInfo
puts [info exists ::errorCode]
