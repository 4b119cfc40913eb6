set d {a 1 b 2 c 3 ab 4}
puts [dict exists $d a]
puts [dict exists $d z]
puts [dict exists {x {y 1}} x y]
puts [dict exists {x {y 1}} x z]
puts [dict exists {x 1} x y]
puts [dict keys $d]
puts [dict keys $d a*]
puts [dict values $d]
puts [dict values $d {[12]}]
puts [dict size $d]
puts [dict size {}]
catch {dict size {a}} m; puts $m
catch {dict keys} m; puts $m
puts [dict exists "a {" a]
