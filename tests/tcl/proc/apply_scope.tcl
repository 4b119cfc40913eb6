set g global
puts [apply {{} {info exists g}}]
puts [apply {{} {global g; return $g}}]
puts [apply {{} {upvar 1 g x; return $x}}]
puts [apply {{} {info level}}]
proc p {} { apply {{} {info level}} }
puts [p]
set x 5
apply {{} {uplevel 1 {set x 6}}}
puts $x
set lam {{n} {if {$n <= 1} {return 1}; expr {$n * [apply $::lam [expr {$n-1}]]}}}
puts [apply $lam 10]
