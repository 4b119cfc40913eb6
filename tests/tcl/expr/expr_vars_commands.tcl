set x 3; set y 4
puts [expr {sqrt($x*$x + $y*$y)}]
puts [expr {[llength {a b c}] * 2}]
set arr(k) 7
puts [expr {$arr(k) + 1}]
set key k
puts [expr {$arr($key) * 2}]
puts [expr {[string length "hello"] > 3 ? "long" : "short"}]
proc sq {n} { expr {$n * $n} }
puts [expr {[sq 5] + [sq 2]}]
puts [expr {"${x}5" + 1}]
