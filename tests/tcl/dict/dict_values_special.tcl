set d [dict create "" empty "a b" spaced "\{" brace]
puts $d
puts [dict get $d ""]
puts [dict get $d "a b"]
puts [dict get $d "\{"]
puts [dict keys $d]
puts [dict size $d]
