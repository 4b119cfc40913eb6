catch {
    foreach a {1 2} {
        foreach b {x y} {
            if {$a == 2 && $b eq "y"} { error "nested $a $b" }
        }
    }
} m
puts $m
puts $::errorInfo
