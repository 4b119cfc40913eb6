catch {
    foreach x {1 2 3} {
        if {$x == 2} {
            error "at x=$x"
        }
    }
} m
puts $m
puts $::errorInfo
