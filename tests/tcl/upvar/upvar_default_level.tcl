proc p {} { upvar v local; set local changed }
set v orig
p
puts $v
proc q {} { upvar #0 v a; upvar 1 v b; return "$a $b" }
proc q2 {} { upvar #0 v a 1 b; set b 7; return $a }
puts [q2]
puts [set 1]
puts [q]
proc r {name} { upvar $name arr; return [array get arr] }
array set one {k v}
puts [r one]
proc s {} { upvar 1 1 x; return $x }
set 1 numericname
puts [s]
