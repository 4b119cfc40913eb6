set l "a\tb\nc  d"
puts [llength $l]
puts [lindex $l 2]
set l2 "
  a
  b
"
puts [llength $l2]
puts [lindex $l2 end]
puts [lindex {  x  } 0]
puts [lindex {a {} b} 1]
puts [llength {a {} b}]
