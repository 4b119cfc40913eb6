proc p {args} { return [info level 0] }
puts [p]
puts [p a {b c} "d e"]
puts [llength [p a {b c}]]
proc q {x} { return [lindex [info level 0] 0] }
puts [q 1]
rename q qq
puts [qq 1]
proc r {} { s 1 2 }
proc s {a b} { return [list [info level] [info level -1] [info level 1]] }
puts [r]
