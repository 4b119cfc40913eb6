set a 1
puts $a
puts [set a]
puts [set b "hello world"]
set c {}
puts "<$c>"
set {weird name} 5
puts [set {weird name}]
puts ${weird name}
set d(1) one
puts $d(1)
set i 1
puts $d($i)
puts "${a}b"
set a$i xyz
puts $a1
set "sp ace" 1; puts [info exists "sp ace"]
catch {set} m; puts $m
catch {set a b c} m; puts $m
