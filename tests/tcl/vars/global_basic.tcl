set g 10
proc p {} { global g; incr g; return $g }
puts [p]
puts $g
proc q {} { global newg; set newg created }
q
puts $newg
proc r {} { global a b c; set a 1; set b 2; set c 3 }
r
puts "$a $b $c"
proc s {} { global arr; set arr(k) v }
s
puts $arr(k)
proc t {} { global ::g; return $g }
puts [t]
global g
puts "global at top ok"
proc u {} { global }
puts "<[u]>"
