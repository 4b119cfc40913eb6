proc p {} { uplevel 1 {error "raised via uplevel"} }
proc q {} { p }
catch q m
puts $m
puts $::errorInfo
proc r {} { uplevel #0 {
    set a 1
    error "global level error"
} }
catch r m
puts $::errorInfo
