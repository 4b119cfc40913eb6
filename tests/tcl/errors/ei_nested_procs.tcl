proc a {x} { b [expr {$x + 1}] }
proc b {y} {
    c $y extra
}
proc c {args} {
    set z 1
    error "deep error: $args"
}
catch {a 1} m
puts $m
puts $::errorInfo
