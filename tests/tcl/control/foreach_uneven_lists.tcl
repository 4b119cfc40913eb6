foreach a {1 2 3} b {x} c {p q} { puts "<$a|$b|$c>" }
foreach {a b} {1} {puts "<$a|$b>"}
set n 0
foreach x [lrepeat 1000 z] { incr n }
puts $n
foreach {a b c d} {1 2 3 4 5 6 7 8} {puts [expr {$a + $b + $c + $d}]}
