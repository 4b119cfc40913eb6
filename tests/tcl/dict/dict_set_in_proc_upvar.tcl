proc add {dictVar key val} { upvar 1 $dictVar d; dict set d $key $val }
add mydict one 1
add mydict two 2
puts $mydict
proc bump {dictVar key} { upvar 1 $dictVar d; dict incr d $key }
bump mydict one
puts $mydict
proc readonly {d} { dict set d three 3; return $d }
puts [readonly $mydict]
puts $mydict
