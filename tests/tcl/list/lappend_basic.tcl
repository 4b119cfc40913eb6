set l {}
lappend l a
lappend l b c
lappend l {d e}
lappend l ""
puts $l
puts [llength $l]
puts [lappend newlist x]
puts [lappend newlist2]
puts "<$newlist2>"
set s "a b"
lappend s c
puts $s
set s2 " a  b "
lappend s2 c
puts "<$s2>"
set arr(k) x
lappend arr(k) y
puts $arr(k)
set bad "a {b"
catch {lappend bad c} m; puts $m
catch {lappend} m; puts $m
