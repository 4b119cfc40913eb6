proc p {} { error "x" }
catch p
proc show {} { global errorInfo errorCode; return [list [string length $errorInfo] $errorCode] }
puts [show]
set ::errorCode NONE
puts [show]
