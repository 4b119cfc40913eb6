set a {a b}
puts "quoted {braces} inside"
puts {braced "quotes" inside}
puts {nested {braces} ok}
puts "semi;colon"
puts {semi;colon}
puts a\ b
puts \{
puts "\{"
puts {\{}
set l [list {} "" {{}}]
puts [llength $l]
puts "a$a"
puts {$a}
puts "[list x y]"
puts "newline
inside"
