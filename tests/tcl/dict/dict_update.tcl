set d {a 1 b 2}
dict update d a va b vb { incr va 10; set vb changed }
puts $d
dict update d c vc { set vc created }
puts $d
dict update d a va { unset va }
puts $d
set r [dict update d b x { string length $x }]
puts $r
catch {dict update d a} m; puts $m
catch {dict update nosuch a v {}} m; puts "<$m>"
puts [info exists nosuch]
