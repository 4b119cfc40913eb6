set s "1 2 3"
puts [llength $s]
puts [string length $s]
append s " 4"
puts [llength $s]
set l [list a b]
append l c
puts $l
puts [llength $l]
set n 12
puts [llength $n]
puts [lindex $n 0]
set d [dict create a 1 b 2]
puts [llength $d]
puts [lindex $d 1]
