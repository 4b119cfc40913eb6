set d {a x}
dict append d a y z
dict append d b new
puts $d
dict lappend d l 1
dict lappend d l 2 {3 4}
puts $d
puts [dict get $d l]
dict incr d n
dict incr d n 10
dict incr d n -3
puts [dict get $d n]
catch {dict incr d a} m; puts $m
catch {dict lappend d a "\{"} m; puts $m
set e {c 9223372036854775807}
dict incr e c
puts $e
