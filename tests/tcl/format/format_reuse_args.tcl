set fmt "%s=%d"
set out {}
foreach {k v} {a 1 b 2 c 3} { lappend out [format $fmt $k $v] }
puts [join $out ", "]
puts [format "%s-%s-%s" {*}{x y z}]
puts [format {%1$s%1$s%2$s} ab cd]
