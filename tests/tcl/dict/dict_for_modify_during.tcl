set d {a 1 b 2 c 3}
dict for {k v} $d { dict set d $k [expr {$v * 10}]; dict set d new$k x }
puts $d
set d2 {a 1 b 2}
dict for {k v} $d2 { dict unset d2 $k }
puts "<$d2>"
