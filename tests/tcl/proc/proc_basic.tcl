proc add {a b} {return [expr {$a + $b}]}
puts [add 2 3]
proc noreturn {x} {set y [expr {$x * 2}]}
puts [noreturn 21]
proc empty {} {}
puts "<[empty]>"
proc noargs {} {return fixed}
puts [noargs]
puts [proc defined {} {}]
proc add {a b} {return [expr {$a * $b}]}
puts "redefined: [add 2 3]"
proc early {x} { if {$x} {return yes}; return no }
puts "[early 1] [early 0]"
proc bare {} return
puts "<[bare]>"
