proc bubble {lst} {
    set n [llength $lst]
    for {set i 0} {$i < $n} {incr i} {
        for {set j 0} {$j < $n - $i - 1} {incr j} {
            if {[lindex $lst $j] > [lindex $lst [expr {$j+1}]]} {
                set t [lindex $lst $j]
                lset lst $j [lindex $lst [expr {$j+1}]]
                lset lst [expr {$j+1}] $t
            }
        }
    }
    return $lst
}
puts [bubble {5 3 8 1 9 2 7}]
proc qsort {l} {
    if {[llength $l] <= 1} {return $l}
    set p [lindex $l 0]
    set less {}; set more {}
    foreach x [lrange $l 1 end] { if {$x < $p} {lappend less $x} else {lappend more $x} }
    concat [qsort $less] [list $p] [qsort $more]
}
puts [qsort {3 1 4 1 5 9 2 6 5 3 5}]
