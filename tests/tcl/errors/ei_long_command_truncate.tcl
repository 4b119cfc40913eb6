proc p {} {
    error "short" [string repeat "x" 10]
}
catch p
puts $::errorInfo
catch {set a [string repeat abcdefghij 30]; error $a} m
puts [string length $m]
puts $::errorInfo
catch {nosuch [string repeat y 200]} m
puts $::errorInfo
proc q {} {error "this is a fairly long message to see if errorinfo truncates the command text that is shown in the while executing section of the stack trace"}
catch q m
puts $::errorInfo
