array set inv {apples 3 pears 0 plums 7 kiwis 2}
foreach name [lsort [array names inv]] { puts "$name: $inv($name)" }
set instock {}
foreach {k v} [array get inv] { if {$v > 0} { lappend instock $k } }
puts [lsort $instock]
set total 0
foreach k [array names inv] { incr total $inv($k) }
puts $total
