proc p {} {
    set x [list a \
        b \
        c]
    lindex $x 0 \
        1 \
        bad
}
catch p m
puts $m
puts $::errorInfo
