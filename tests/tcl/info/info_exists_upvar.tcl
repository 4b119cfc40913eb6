proc p {} { upvar 1 notyet v; set r [info exists v]; set v now; return $r }
puts [p]
puts $notyet
proc q {} { upvar 1 arr(k) e; info exists e }
set arr(k) 1
puts [q]
unset arr(k)
puts [q]
proc r {} { global gg; info exists gg }
puts [r]
set gg 1
puts [r]
