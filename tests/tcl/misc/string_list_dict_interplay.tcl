set s "a b c"
set l [split $s]
set d [dict create {*}[concat {*}[lmap x $l {list $x [string toupper $x]}]]]
puts $d
puts [dict get $d b]
puts [join [dict values $d] -]
set counts {}
foreach ch [split "mississippi" ""] { dict incr counts $ch }
puts $counts
puts [lsort -stride 2 -index 1 -integer -decreasing $counts]
