proc inner {} { error "original" }
proc middle {} {
    if {[catch inner m]} {
        error "rethrown: $m" $::errorInfo $::errorCode
    }
}
catch middle m
puts $m
puts $::errorInfo
proc middle2 {} {
    if {[catch inner m opts]} {
        return -options $opts "wrapped: $m"
    }
}
catch middle2 m
puts $m
puts $::errorInfo
