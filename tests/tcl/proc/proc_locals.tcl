set x global
proc p {} { set x local; return $x }
puts [p]
puts $x
proc q {} { return [info exists x] }
puts [q]
proc r {x} { set x [string toupper $x]; return $x }
set v abc
puts [r $v]
puts $v
proc counter {} { if {![info exists c]} {set c 0}; incr c }
puts [counter][counter]
proc s {} { set a(1) x; set a(2) y; return [lsort [array names a]] }
puts [s]
