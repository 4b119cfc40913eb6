proc p {args} { return $args }
puts [p {a b} c]
puts [llength [p {}]]
puts [llength [p "" ""]]
puts [p \{ \}]
proc q {a args} { return [list $a $args] }
puts [q x]
puts [q x {}]
proc r {{args {ignored}}} { return "<$args>" }
puts [r]
puts [r 1 2]
proc s {args args} { return $args }
catch {s 1 2} m; puts $m
