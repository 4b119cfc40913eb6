proc p {} {
    dict for {k v} {a 1 b 2} {
        if {$k eq "b"} { error "dict for at $k" }
    }
}
catch p m
puts $::errorInfo
