proc p {} {
    try {
        set a 1
        error "in try body"
    } finally {
        set b 2
    }
}
catch p m
puts $::errorInfo
proc q {} {
    try {
        error first
    } on error {m} {
        error "handler: $m"
    }
}
catch q m
puts $::errorInfo
