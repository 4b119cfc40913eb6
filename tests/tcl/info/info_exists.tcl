set a 1
puts [info exists a]
puts [info exists nope]
set arr(x) 1
puts [info exists arr]
puts [info exists arr(x)]
puts [info exists arr(y)]
unset a
puts [info exists a]
proc p {} { return [list [info exists x] [info exists ::arr]] }
puts [p]
proc q {x} { info exists x }
puts [q 1]
catch {info exists} m; puts $m
catch {info exists a b} m; puts $m
set s 1
puts [info exists s(1)]
