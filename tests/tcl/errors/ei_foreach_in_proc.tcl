proc p {lst} {
    foreach x $lst {
        set y [expr {10 / $x}]
    }
}
catch {p {5 2 0 1}} m
puts $m
puts $::errorInfo
puts $::errorCode
