set lam {{x} {
    set y [expr {$x * 2}]
    error "lambda failed with $y"
}}
catch {apply $lam 4} m
puts $m
puts $::errorInfo
proc user {} { apply {{} {nosuch}} }
catch user m
puts $::errorInfo
