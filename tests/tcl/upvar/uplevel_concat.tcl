proc p {} { uplevel 1 set v {"a b"} }
p
puts $v
proc q {} { uplevel 1 list a b c }
puts [q]
proc r {} { uplevel #0 [list set w "x y"] }
r
puts $w
puts [llength $w]
proc s {} { uplevel 1 {set t 1} {;} {set t2 2} }
s
puts "$t $t2"
