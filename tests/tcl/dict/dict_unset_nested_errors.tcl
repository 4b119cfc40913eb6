set d {a {b 1}}
dict unset d a b
puts $d
dict unset d a
puts $d
catch {dict unset d x y} m; puts $m
set d {a 1}
catch {dict unset d a b} m; puts $m
catch {dict unset} m; puts $m
