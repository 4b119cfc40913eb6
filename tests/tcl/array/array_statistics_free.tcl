array set a {}
for {set i 0} {$i < 100} {incr i} { set a($i) [expr {$i * 2}] }
puts [array size a]
puts $a(50)
puts [llength [array names a]]
puts [llength [array names a 1*]]
set sum 0
foreach k [array names a] { incr sum $a($k) }
puts $sum
array unset a *
puts [array size a]
puts [array exists a]
