set d "a   1\nb 2"
puts [dict get $d b]
dict set d c 3
puts $d
set d2 "x {1 2}  y 3"
puts [dict replace $d2]
puts [dict merge $d2]
puts [dict remove $d2]
