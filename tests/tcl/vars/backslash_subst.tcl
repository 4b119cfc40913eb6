puts "a\tb"
puts "a\\b"
puts "\x41\x42"
puts "\101\102"
puts "\u0041"
puts "line1\
    continued"
puts [string length "\n"]
puts [string length "\a\b\f\n\r\t\v"]
puts "\q"
puts "{unbalanced"
puts {back\slash kept}
puts [string length {a\nb}]
puts [scan "\x4g" %c]
puts "\x"
puts [scan "\0x" %c%c]
puts [string length "\0"]
