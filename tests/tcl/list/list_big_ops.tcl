set l {}
for {set i 0} {$i < 1000} {incr i} { lappend l $i }
puts [llength $l]
puts [lindex $l 999]
puts [lrange $l 995 end]
puts [lsearch $l 500]
puts [lsearch -sorted -integer $l 777]
set r [lreverse $l]
puts [lindex $r 0]
set s [lsort -decreasing -integer $l]
puts [lrange $s 0 2]
puts [expr [join [lrange $l 1 100] +]]
puts [llength [lrepeat 1000 x]]
puts [string length [join $l ""]]
