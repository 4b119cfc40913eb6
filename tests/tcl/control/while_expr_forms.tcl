set i 0
while "\$i < 3" {incr i}
puts $i
set i 0
while {$i<3} {incr i}
puts $i
set cond {$i < 6}
while $cond {incr i}
puts $i
set i 0
while {[incr i] < 5} {}
puts $i
set s abc
while {[string length $s] > 0} {set s [string range $s 1 end]; puts "s=<$s>"}
