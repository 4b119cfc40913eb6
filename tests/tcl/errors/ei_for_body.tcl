proc f {} {
    for {set i 0} {$i < 5} {incr i} {
        if {$i == 2} {
            set v [lindex {a b} 5 6]
            error "bad at $i"
        }
    }
}
catch f m
puts $m
puts $::errorInfo
