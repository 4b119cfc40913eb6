puts [scan "1 2 3" "%d %*d %d"]
puts [scan "a b c" {%*s %s %*s}]
puts [scan "x y" {%2$s %1$s}]
puts [scan "10 20" {%2$d %1$d} a b]
puts "$a $b"
puts [scan "abc 5" "%*s %d"]
