set x 9223372036854775806
incr x
puts $x
incr x
puts $x
incr x 1000000000000000000000
puts $x
incr x -1000000000000000000000
puts $x
set y [expr {-2**64}]
incr y -1
puts $y
incr y [expr {2**64 + 1}]
puts $y
