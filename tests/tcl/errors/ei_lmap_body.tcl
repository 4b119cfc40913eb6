proc p {} {
    lmap x {1 2 3} {
        if {$x == 3} { error "lmap at $x" }
        set x
    }
}
catch p m
puts $::errorInfo
