proc p {} {
    upvar 1 a x
    set x 1
    unset x
    set x 2
    return $x
}
puts [p]
puts $a
proc q {} { upvar 1 a x; upvar 1 b x }
catch q m; puts $m
proc r {} { upvar 1 a x; upvar 1 a x; return $x }
puts [r]
