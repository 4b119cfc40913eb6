set s "  a   b\tc\n d "
puts [list {*}$s]
puts [lrange $s 0 end]
puts [lreplace $s 0 -1]
puts [linsert $s 0]
puts [lsort $s]
set s2 {a {b  c}  "d  e"}
puts [lrange $s2 0 end]
puts [list {*}$s2]
puts [lindex $s2 2]
puts [concat $s2]
