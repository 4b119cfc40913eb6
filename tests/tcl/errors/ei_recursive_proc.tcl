proc r {n} {
    if {$n == 0} { error "bottom reached" }
    r [expr {$n - 1}]
}
catch {r 3} m
puts $m
puts $::errorInfo
