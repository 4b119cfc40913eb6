set l [list [expr {2**65}] 1 [expr {-2**65}]]
puts $l
puts [lindex $l 0]
puts [expr {[lindex $l 0] + [lindex $l 2]}]
puts [lsearch -exact $l 36893488147419103232]
set d [dict create big [expr {3**60}]]
dict incr d big
puts $d
