proc handler {} {
    if {[catch {error "first error"} m]} {
        set x [lindex $m 5 extra]
    }
}
catch handler m
puts $m
puts $::errorInfo
