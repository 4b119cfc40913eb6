set l [list "a b" "c\\d" "e\{f" "g\}h" "i\"j" "k\[l" "m\$n" "o;p"]
puts $l
foreach e $l { puts -nonewline "[string length $e] " }
puts ""
puts [lindex {a\ b c} 0]
puts [lindex {"a b\"c" d} 0]
puts [lindex {{a\}b} c} 0]
puts [llength {a\ b c}]
puts [lindex "a\\\nb c" 0]
puts [list "\{" "\}" "\{\}"]
puts [list "{}x"]
puts [list "x{}"]
puts [list "{a} b"]
