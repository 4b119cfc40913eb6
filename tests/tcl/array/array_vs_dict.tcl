array set a {k1 v1 k2 v2}
set d [dict create {*}[lsort -stride 2 [array get a]]]
puts $d
array set b $d
puts [lsort -stride 2 [array get b]]
puts [expr {[array size b] == [dict size $d]}]
array set c [dict create x {1 2} y {}]
puts "<$c(x)> <$c(y)>"
