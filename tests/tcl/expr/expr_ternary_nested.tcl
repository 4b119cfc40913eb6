proc sign {x} { expr {$x > 0 ? 1 : $x < 0 ? -1 : 0} }
puts "[sign 5] [sign -3] [sign 0]"
proc grade {s} { expr {$s >= 90 ? "A" : $s >= 80 ? "B" : $s >= 70 ? "C" : "F"} }
puts [lmap s {95 85 75 10} {grade $s}]
puts [expr {1 ? 2 ? "both" : "first" : "none"}]
