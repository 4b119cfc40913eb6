set i 0
while {$i < 5} {
    incr i
    if {$i == 4} { set y [lindex $undefined 0] }
}
