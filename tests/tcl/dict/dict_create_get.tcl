set d [dict create a 1 b 2 c 3]
puts $d
puts [dict get $d b]
puts [dict get $d]
puts [dict create]
puts [dict create a 1 a 2]
puts [dict create k {v w}]
set n [dict create outer [dict create inner value]]
puts [dict get $n outer inner]
catch {dict get $d zz} m; puts $m
catch {dict get $n outer zz} m; puts $m
catch {dict create a} m; puts $m
catch {dict get {a 1 b} a} m; puts $m
catch {dict get} m; puts $m
puts [dict get {a 1 a 2} a]
