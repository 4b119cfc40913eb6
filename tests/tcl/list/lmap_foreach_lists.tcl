set names {alice bob carol}
set ages {30 25 35}
set pairs [lmap n $names a $ages {list $n $a}]
puts $pairs
puts [lsort -index 1 -integer $pairs]
set flat [concat {*}$pairs]
puts $flat
foreach {n a} $flat { puts "$n is $a" }
puts [lmap x [lsort -integer -decreasing $ages] {expr {$x / 5}}]
