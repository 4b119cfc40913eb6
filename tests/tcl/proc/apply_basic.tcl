puts [apply {{x} {expr {$x * $x}}} 7]
puts [apply {{a b} {return "$a-$b"}} 1 2]
puts [apply {{a {b def}} {return "$a-$b"}} 1]
puts [apply {{args} {llength $args}} a b c]
puts [apply {{} {return noargs}}]
set f {{x y} {expr {$x + $y}}}
puts [apply $f 3 4]
puts [lmap v {1 2 3} {apply {{n} {expr {$n * 10}}} $v}]
set compose {{f g x} {apply $f [apply $g $x]}}
puts [apply $compose {{x} {expr {$x+1}}} {{x} {expr {$x*2}}} 5]
proc map {lambda list} { set r {}; foreach e $list { lappend r [apply $lambda $e] }; return $r }
puts [map {{s} {string toupper $s}} {a b c}]
puts [apply {{x} {set y 1; info exists y}} 0]
puts [apply {x {return $x}} single]
