set l {a b c d e}
puts [lindex $l 0]
puts [lindex $l 4]
puts "<[lindex $l 5]>"
puts "<[lindex $l -1]>"
puts [lindex $l end]
puts [lindex $l end-1]
puts [lindex $l end-4]
puts "<[lindex $l end-5]>"
puts [lindex $l 1+1]
catch {lindex $l end-1-1} m; puts $m
puts [lindex $l end-0]
puts [lindex $l 4-1]
puts [lindex $l end+0]
puts "<[lindex $l end+1]>"
puts [lindex $l]
puts [lindex $l {}]
puts [lindex {a {b c}} 1]
puts "<[lindex {} 0]>"
puts [lindex $l 0x1]
puts [lindex $l 01]
puts [lindex $l " 2 "]
