puts [expr {0x7fffffffffffffff}]
puts [expr {0xffffffffffffffff}]
puts [expr {0x10000000000000000}]
puts [expr {-0x10}]
puts [expr {0o777}]
puts [expr {0b1111}]
puts [expr {0XFF}]
puts [expr {0B11}]
puts [expr {0O7}]
puts [expr {017}]
catch {expr {09}} m; puts $m
catch {expr {0b2}} m; puts $m
