set r [expr {rand()}]
puts [expr {$r >= 0.0 && $r < 1.0}]
expr {srand(42)}
set a [expr {rand()}]
expr {srand(42)}
set b [expr {rand()}]
puts [expr {$a == $b}]
set ok 1
for {set i 0} {$i < 100} {incr i} { set x [expr {int(rand() * 10)}]; if {$x < 0 || $x > 9} {set ok 0} }
puts $ok
puts [string is double [expr {srand(7)}]]
catch {expr {srand(1.5)}} m; puts $m
catch {expr {rand(1)}} m; puts $m
