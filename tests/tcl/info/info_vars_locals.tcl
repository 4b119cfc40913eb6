proc p {a b} { set c 1; set d(1) 2; return [list [lsort [info locals]] [lsort [info vars]]] }
puts [p 1 2]
proc q {} { global qg; set qg 1; set l 2; return [list [lsort [info locals]] [lsort [info vars]]] }
puts [q]
proc r {} { upvar 1 x y; set z 1; return [lsort [info locals]] }
set x 1
puts [r]
proc s {} { info locals }
puts "<[s]>"
proc t {} { set abc 1; set abd 2; set xyz 3; lsort [info locals ab*] }
puts [t]
