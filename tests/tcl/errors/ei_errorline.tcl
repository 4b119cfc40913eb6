proc p {} {
    set a 1

    set b 2
    error "line five"
}
catch p m o
puts [dict get $o -errorline]
puts $::errorInfo
catch {

    error "third"
} m o
puts [dict get $o -errorline]
