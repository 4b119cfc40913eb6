set g 1
proc p {} { global g; unset g }
p
puts [info exists g]
proc q {} { set l 1; unset l; return [info exists l] }
puts [q]
proc r {} { set x 1; unset x; set x 2; return $x }
puts [r]
proc s {} { upvar 1 v v; unset v }
set v 5
s
puts [info exists v]
proc t {} { catch {unset nope} m; return $m }
puts [t]
