puts [dict map {k v} {a 1 b 2} {list $v $k}]
puts [dict map {k v} {a 1 b 2} {set k X}]
set r [dict map {k v} {a 1 b 2 c 3} {if {$v == 2} {break}; incr v}]
puts "<$r>"
puts [dict map {k v} {1 a 2 b} {string repeat $v $k}]
