proc a {} { b }
proc b {} { uplevel 1 { info level } }
puts [a]
proc c {} { uplevel #0 { info level } }
puts [c]
proc d {} { set r [uplevel 1 {info level 0}]; return $r }
proc e {x} { d }
puts [e arg]
proc f {} { apply {{} {info level 0}} }
puts [f]
