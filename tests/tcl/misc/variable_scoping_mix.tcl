set x global
proc a {} { set x a-local; b; return $x }
proc b {} { upvar 1 x ux; set ux "modified by b"; uplevel #0 {set x "global modified"} }
puts [a]
puts $x
proc c {} { global x; set x "via global"; d }
proc d {} { return [uplevel #0 {set x}] }
puts [c]
