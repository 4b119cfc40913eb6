proc a {} { eval b }
proc b {} { uplevel 1 c }
proc c {} {
    foreach x {1} {
        error "mixed frames"
    }
}
catch a m
puts $m
puts $::errorInfo
