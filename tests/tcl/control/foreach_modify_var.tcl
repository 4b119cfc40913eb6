# modifying the loop variable does not affect iteration
set out {}
foreach x {1 2 3} { set x [expr {$x * 100}]; lappend out $x }
puts $out
for {set i 0} {$i < 10} {incr i} { if {$i == 2} {set i 7} ; puts -nonewline "$i " }
puts ""
set l {a b c}
foreach x $l { set l {} }
puts "l=<$l> x=$x"
