set s ""
for {set i 0} {$i < 5000} {incr i} { append s x }
puts [string length $s]
set l {}
for {set i 0} {$i < 5000} {incr i} { lappend l $i }
puts [llength $l]
set d {}
for {set i 0} {$i < 1000} {incr i} { dict set d k$i $i }
puts [dict size $d]
puts [dict get $d k999]
array set a {}
for {set i 0} {$i < 1000} {incr i} { set a($i) $i }
puts [array size a]
