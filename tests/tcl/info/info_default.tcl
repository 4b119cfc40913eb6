proc p {a {b 2} {c {}} args} {}
puts [info default p a v]; puts "<[info exists v]>"
puts [info default p b v]; puts $v
puts [info default p c v]; puts "<$v>"
puts [info default p args v]
catch {info default p zz v} m; puts $m
catch {info default nosuch a v} m; puts $m
catch {info default p} m; puts $m
array set arr {}
catch {info default p b arr} m; puts $m
