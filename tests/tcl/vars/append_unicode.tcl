set s ""
foreach c {é 中 a ü} { append s $c }
puts $s
puts [string length $s]
lappend l é 中
puts $l
puts [llength $l]
set u "\u00e9"
append u "\u0301"
puts [string length $u]
