for {set i 0} {$i < 3} {incr i} { puts "line $i" }
puts -nonewline "no newline at end"
expr {1 / 0}
