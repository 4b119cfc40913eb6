set a 123456789012345678901234567890
set b 987654321098765432109876543210
puts [expr {$a + $b}]
puts [expr {$b - $a}]
puts [expr {$a - $b}]
puts [expr {$a * $b}]
puts [expr {$b / $a}]
puts [expr {$b % $a}]
puts [expr {-$a}]
puts [expr {abs(-$a)}]
puts [expr {$a * 0}]
puts [expr {$a / $a}]
