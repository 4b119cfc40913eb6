set matrix {}
for {set i 0} {$i < 3} {incr i} {
    set row {}
    for {set j 0} {$j < 3} {incr j} { lappend row [expr {$i * 3 + $j}] }
    lappend matrix $row
}
puts $matrix
puts [lindex $matrix 2 1]
set transposed {}
for {set j 0} {$j < 3} {incr j} {
    set col {}
    foreach row $matrix { lappend col [lindex $row $j] }
    lappend transposed $col
}
puts $transposed
lset matrix 1 1 X
puts $matrix
puts [join [lmap r $matrix {join $r ,}] \n]
