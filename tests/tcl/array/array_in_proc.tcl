proc fill {arr} { upvar 1 $arr a; foreach i {1 2 3} { set a($i) [expr {$i * $i}] } }
fill sq
puts [lsort -stride 2 -integer [array get sq]]
proc total {arr} { upvar 1 $arr a; set t 0; foreach k [array names a] { incr t $a($k) }; return $t }
puts [total sq]
proc local {} { array set l {a 1}; return [array get l] }
puts [local]
proc glob {} { global garr; set garr(x) 1 }
glob
puts [array get garr]
