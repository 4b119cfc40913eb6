set a 0; set b 1
for {set i 0} {$i < 150} {incr i} { set t [expr {$a + $b}]; set a $b; set b $t }
puts $a
puts [expr {$a % 1000000007}]
