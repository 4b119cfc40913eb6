set i 0
for {} {$i < 3} {} {incr i}
puts $i
for {set i 0} {1} {incr i} {if {$i >= 4} break}
puts $i
set n 0
for {set i 0} {$i < 3} {incr i} {for {set j 0} {$j < $i} {incr j} {incr n}}
puts $n
