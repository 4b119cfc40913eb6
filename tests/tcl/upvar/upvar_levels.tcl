proc l1 {} { set v l1; l2; return $v }
proc l2 {} { set v l2; l3; upvar 1 v up; return $up }
proc l3 {} { upvar 2 v x; set x "set by l3 two up"; upvar 1 v y; set y "l2 modified" }
puts [l1]
set top topval
proc g {} { upvar #0 top t; return $t }
puts [g]
proc deep {n} { if {$n > 0} {return [deep [incr n -1]]}; upvar #0 top t; upvar #1 n first; return "$t $first" }
puts [deep 3]
proc h {} { upvar 0 local alias; set local 5; return $alias }
puts [h]
