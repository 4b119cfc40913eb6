set d {a 1 b 2 c 3 d 4}
puts [dict filter $d key {[ab]}]
puts [dict filter $d value {[34]}]
puts [dict filter $d script {k v} { expr {$v % 2 == 0} }]
puts [dict filter $d key a c]
puts [dict map {k v} $d { expr {$v * 10} }]
puts [dict map {k v} $d { if {$k eq "b"} continue; string toupper $k }]
puts [dict map {k v} {} { set v }]
catch {dict filter $d bogus x} m; puts $m
catch {dict map {k} $d {}} m; puts $m
puts [dict filter $d script {k v} { if {$k eq "c"} break; expr 1 }]
