proc p {{x {}}} {
    return [expr {$x + 1}]
}
catch p m
puts $m
puts $::errorInfo
