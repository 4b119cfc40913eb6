set i 5
puts [incr i]
puts [incr i 10]
puts [incr i -20]
puts [incr j]
puts [incr k 5]
set x 0x10
puts [incr x]
set big 9223372036854775807
puts [incr big]
set neg -9223372036854775808
puts [incr neg -1]
set w 4294967295
puts [incr w]
puts [incr w +3]
set a(x) 1
puts [incr a(x) 2]
puts [incr a(new)]
set s " 7 "
puts [incr s]
