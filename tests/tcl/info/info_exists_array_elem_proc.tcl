proc p {} {
    set a(1) x
    set r [list [info exists a] [info exists a(1)] [info exists a(2)]]
    unset a(1)
    lappend r [info exists a] [array size a]
    return $r
}
puts [p]
proc q {} { info exists a(1) }
puts [q]
