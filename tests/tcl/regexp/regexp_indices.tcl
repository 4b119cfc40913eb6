regexp -indices {b+} aabbbcc m
puts $m
regexp -indices {(a)(x)?(c)} ac all g1 g2 g3
puts "$all $g1 $g2 $g3"
puts [regexp -indices -inline {(\d)(\d)} ab12cd]
puts [regexp -indices -all -inline {o} foo]
regexp -indices {} abc e
puts $e
