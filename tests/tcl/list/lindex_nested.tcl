set m {{a b c} {d {e f} g} {h i}}
puts [lindex $m 1 1]
puts [lindex $m 1 1 0]
puts [lindex $m {1 1 1}]
puts [lindex $m end end]
puts [lindex $m 0 end-1]
puts "<[lindex $m 5 0]>"
puts "<[lindex $m 0 5]>"
puts [lindex $m {}]
puts [lindex {{{deep}}} 0 0 0]
puts [lindex {a b} {1}]
puts [lindex "{a b} c" 0 1]
