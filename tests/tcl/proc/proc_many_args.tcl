proc sum {args} { set s 0; foreach a $args {incr s $a}; return $s }
puts [sum]
puts [sum 1]
puts [sum 1 2 3 4 5 6 7 8 9 10]
puts [sum {*}[lrepeat 100 7]]
proc p10 {a b c d e f g h i j} { return "$a$b$c$d$e$f$g$h$i$j" }
puts [p10 0 1 2 3 4 5 6 7 8 9]
catch {p10 1 2 3} m; puts $m
set l {x y z}
puts [sum {*}{1 2} {*}{3 4}]
puts [list {*}$l end]
puts [list {*}{} a]
puts [list {*}"a b" c]
