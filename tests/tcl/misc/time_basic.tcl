set r [time {set x 1}]
puts [llength $r]
puts [lrange $r 1 end]
puts [string is double [lindex $r 0]]
set r [time {incr y} 10]
puts [lrange $r 1 end]
puts $y
set r [time {} 0]
puts [lrange $r 1 end]
catch {time} m; puts $m
catch {time {error inside}} m; puts $m
catch {time {} abc} m; puts $m
set count 0
time {incr count} 5
puts $count
