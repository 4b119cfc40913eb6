puts [expr 1 + 2]
puts [expr "1 + 2" * 3]
set a 5
puts [expr $a * 2]
puts [expr {$a * 2}]
set b "3 + 4"
puts [expr $b]
puts [expr {$b}]
catch {expr {$b * 2}} m; puts $m
puts [expr $b * 2]
set c {[set a]}
puts [expr {$c}]
puts [expr $c]
