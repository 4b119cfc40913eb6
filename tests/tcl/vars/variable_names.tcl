set a(b) 1
set key b
puts $a($key)
set "a(c d)" 2
puts [set "a(c d)"]
puts $a(c\ d)
set x(1,2) pair
set i 1; set j 2
puts $x($i,$j)
set {} empty-name
puts [set {}]
set arr() emptykey
puts $arr()
set n1 val
set nm n1
puts [set $nm]
puts [expr {[set $nm] eq "val"}]
set a(x) 1
puts "$a(x)$a(b)"
puts "$a(x):text"
set ::gv global-qualified
puts $gv
puts $::gv
