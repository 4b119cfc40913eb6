puts [lassign {1 2 3} a b]
puts "$a $b"
puts "<[lassign {1 2} x y z]>"
puts "x=$x y=$y z=<$z>"
puts [lassign {a b c d} first]
puts [lassign {} p]
puts "<$p>"
lassign {{a b} c} q r
puts "$q|$r"
set rest [lassign {1 2 3 4 5} a b]
puts $rest
catch {lassign} m; puts $m
puts [lassign {a b c}]
