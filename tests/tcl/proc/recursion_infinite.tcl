proc inf {} { inf }
set r [catch inf m]
puts $r
puts $m
puts [lindex $::errorCode 0]
proc inf2 {n} { inf2 [incr n] }
catch {inf2 0} m
puts $m
proc mutual_a {} { mutual_b }
proc mutual_b {} { mutual_a }
catch mutual_a m
puts $m
puts "still alive"
