proc a {} { b }
proc b {} { uplevel 1 { c } }
proc c {} {
    uplevel #0 {
        error "from global via c"
    }
}
catch a m
puts $::errorInfo
