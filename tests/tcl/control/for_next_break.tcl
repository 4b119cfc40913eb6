# break and continue inside the "next" clause
set log {}
for {set i 0} {$i < 5} {incr i; if {$i == 3} break} {lappend log $i}
puts $log
set log {}
catch {for {set i 0} {$i < 3} {continue} {lappend log $i; incr i}} msg
puts "$log / $msg"
for {set i 0} {$i < 3} {incr i} { for {set j 0} {$j < 3} {incr j} { if {$j == 1} break; puts "$i$j" } }
