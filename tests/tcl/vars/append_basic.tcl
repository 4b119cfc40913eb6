set s abc
puts [append s def]
puts [append s 1 2 3]
catch {append t} m; puts $m
set t ""
puts "<[append t]>"
puts [append u x]
set a(1) foo
append a(1) bar
puts $a(1)
set n 5
append n 0
puts [expr {$n + 1}]
set l {a b}
append l " " {c d}
puts [llength $l]
catch {append} m; puts $m
set arr(x) 1
catch {append arr y} m; puts $m
