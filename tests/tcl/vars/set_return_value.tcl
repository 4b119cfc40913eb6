puts [set a [set b [set c 3]]]
puts "$a $b $c"
set x [list 1 2 [set y 3]]
puts $x
puts [expr {[set z 4] * 2}]
puts [string length [set s "hello"]]
set v "line1\nline2"
puts $v
set t "tab\there"
puts $t
set q "quote\"inside"
puts $q
set u "\u00e9\u4e2d"
puts [string length $u]
puts $u
