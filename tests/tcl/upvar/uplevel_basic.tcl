proc setup {} { uplevel 1 {set created_by_uplevel yes} }
setup
puts $created_by_uplevel
proc twice {body} { uplevel 1 $body; uplevel 1 $body }
set n 0
twice {incr n}
puts $n
proc do {args} { uplevel 1 $args }
do set z 42
puts $z
proc ret {} { return [uplevel 1 {expr {$n * 10}}] }
puts [ret]
proc toplev {} { uplevel #0 {set atglobal 1} }
toplev
puts $atglobal
puts [uplevel 0 {set n}]
puts [uplevel #0 {set n}]
