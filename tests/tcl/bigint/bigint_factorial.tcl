proc fact {n} { set r 1; for {set i 2} {$i <= $n} {incr i} { set r [expr {$r * $i}] }; return $r }
puts [fact 25]
puts [fact 50]
set f [fact 100]
puts [string length $f]
puts [string range $f 0 19]
puts [expr {$f / [fact 98]}]
