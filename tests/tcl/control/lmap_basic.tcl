puts [lmap x {1 2 3} {expr {$x * 2}}]
puts [lmap {a b} {1 2 3 4} {list $b $a}]
puts [lmap x {1 2 3 4 5 6} {if {$x % 2} continue; set x}]
puts [lmap x {1 2 3 4 5 6} {if {$x > 3} break; set x}]
puts [lmap x {a b} y {1 2 3} {string cat $x $y}]
puts <[lmap x {} {set x}]>
puts [llength [lmap x {a b c} {}]]
catch {lmap} msg; puts $msg
catch {lmap x {1 2}} msg; puts $msg
catch {lmap x {1 2} {error bad}} msg; puts $msg
puts [lmap x {1 2 3} {lmap y {a b} {set _ $x$y}}]
