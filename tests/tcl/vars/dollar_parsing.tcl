set a 1
puts "$a.b"
puts "$a-b"
puts "\$a"
puts "$"
puts "a$"
puts {$a}
set x(y) z
set y y
puts "$x($y)"
puts $x(y)
set s "cost: \$5"
puts $s
puts "${a}${a}"
puts [string length "$a$a$a"]
set under_score 2
puts $under_score
