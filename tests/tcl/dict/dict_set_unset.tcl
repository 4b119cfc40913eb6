dict set d a 1
dict set d b 2
puts $d
dict set d a 10
puts $d
dict set d c x y 5
puts $d
dict set d c x z 6
puts $d
dict unset d b
puts $d
dict unset d nosuch
puts $d
dict unset d c x y
puts $d
catch {dict set d a q 1} m; puts $m
catch {dict unset d c nope deeper} m; puts $m
set s "not a dict {"
catch {dict set s k v} m; puts $m
puts [dict set fresh k v]
