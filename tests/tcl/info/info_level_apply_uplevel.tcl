proc p {} { list [info level] [apply {{} {info level}}] [uplevel 1 {info level}] }
puts [p]
proc q {} { p }
puts [q]
puts [apply {{} {list [info level] [info level 0]}}]
