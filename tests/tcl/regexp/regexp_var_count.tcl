puts [regexp {(a)(b)} ab x]
puts $x
puts [regexp {(a)} ab x y z]
puts "<$x> <$y> <$z>"
puts [regexp -inline {a} bab]
