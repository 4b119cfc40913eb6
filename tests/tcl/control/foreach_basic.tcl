foreach x {a b c} {puts $x}
foreach {k v} {a 1 b 2 c 3} {puts "$k=$v"}
foreach {a b c} {1 2 3 4 5} {puts "<$a|$b|$c>"}
foreach x {1 2 3} y {a b} {puts "$x-$y"}
foreach {x y} {1 2 3 4} z {p q r} {puts "$x $y $z"}
puts "<[foreach x {1 2} {}]>"
foreach x {} {puts never}
puts "x still $x"
set sum 0
foreach n {1 2 3 4 5 6 7 8 9 10} { if {$n == 8} break; if {$n % 2} continue; incr sum $n }
puts $sum
foreach x {{a b} {c {d e}} "f g"} {puts "[llength $x]: $x"}
