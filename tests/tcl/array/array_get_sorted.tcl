array set a {b 2 a 1 c 3}
set pairs {}
foreach k [lsort [array names a]] { lappend pairs $k $a($k) }
puts $pairs
puts [lsort -stride 2 -index 1 -integer -decreasing [array get a]]
