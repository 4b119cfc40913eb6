set d {}
foreach k {zebra apple mango banana} { dict set d $k [string length $k] }
puts $d
puts [dict keys $d]
dict set d apple 99
puts $d
dict unset d zebra
dict set d zebra 0
puts $d
puts [lsort -stride 2 $d]
puts [dict merge {b 1 a 2} {a 3 c 4}]
