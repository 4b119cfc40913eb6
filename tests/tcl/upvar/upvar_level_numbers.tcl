proc p1 {} { set x p1; p2 }
proc p2 {} { set x p2; p3 }
proc p3 {} {
    set r {}
    set i 0
    foreach l {1 2 #0 #1 #2} {
        upvar $l x v[incr i]
        lappend r "$l=[set v$i]"
    }
    unset v4
    lappend r [uplevel 2 {info exists x}]
    return $r
}
set x top
puts [p1]
