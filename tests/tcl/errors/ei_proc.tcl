proc p {} {
    set a 1
    error "failure in p"
}
catch p m
puts $m
puts $::errorInfo
puts $::errorCode
