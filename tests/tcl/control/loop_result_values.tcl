set r [foreach x {1 2} {set x}]
puts "foreach:<$r>"
set r [while 0 {}]
puts "while:<$r>"
set r [for {set i 0} {$i<1} {incr i} {set i}]
puts "for:<$r>"
set i 0
set r [catch {while 1 {incr i; if {$i>3} {break}}} m]
puts "catch while: $r <$m>"
set r [lmap x {1 2} {continue}]
puts "lmap:<$r>"
