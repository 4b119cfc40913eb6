set d [dict create a 1 b 2]
puts [llength $d]
puts [lindex $d 2]
lappend d c 3
puts [dict get $d c]
set l {x 1 y 2 x 3}
puts [dict get $l x]
puts [dict size $l]
puts [dict keys $l]
puts [dict create {*}$l]
set d2 [dict create "key with space" value]
puts $d2
puts [dict get $d2 "key with space"]
