set x 5
if {$x > 3} {puts big} else {puts small}
if {$x < 3} {puts a} elseif {$x == 5} {puts b} else {puts c}
if {$x == 1} then {puts one} elseif {$x == 5} then {puts five}
puts [if {1} {set r yes}]
puts "<[if {0} {set r yes}]>"
puts "<[if 0 {}]>"
if {"abc" eq "abc"} {puts streq}
if {[llength {a b c}]} {puts nonzero}
if yes {puts yes-word}
if off {puts bad} else {puts off-false}
if {0} {puts a} elseif {0} {puts b} elseif {1} {puts c} else {puts d}
puts [if 0 {set a 1} else {set a 2}]
