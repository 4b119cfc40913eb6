set a(1) one
set a(2) two
set a(foo\ bar) spaced
set a() empty
puts $a(1)
puts $a(foo\ bar)
puts "<$a()>"
set k "foo bar"
puts $a($k)
puts [info exists a(3)]
incr a(count)
incr a(count)
puts $a(count)
append a(str) x y
puts $a(str)
lappend a(lst) p q
puts $a(lst)
puts [array size a]
puts [lsort [array names a]]
