set x ""
foreach c {a b c} {append x $c}
puts $x
set l {}
foreach c {a b c} {lappend l $c}
puts $l
lappend l "d e" {f}
puts $l
puts [llength $l]
set x "a b"
lappend x "c d"
puts $x
append x " " e
puts $x
puts [llength $x]
