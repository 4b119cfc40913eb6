foreach {a b} {1 2 3} {}
puts "a=$a b=<$b>"
set l {}
foreach {x y z} {1 2 3 4 5 6 7} {lappend l [list $x $y $z]}
puts $l
set r {}
foreach i {1 2 3} { foreach j {a b} { lappend r $i$j } }
puts $r
foreach arr(x) {1 2 3} {}
puts $arr(x)
catch {foreach a(x) {1 2 3} {}} m; puts $m
set list {1 2 3}
foreach e $list {lappend list [expr {$e * 10}]}
puts $list
