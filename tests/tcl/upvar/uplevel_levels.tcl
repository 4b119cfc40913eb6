proc a {} { set v a; b }
proc b {} { set v b; c }
proc c {} { set v c; list [uplevel 1 {set v}] [uplevel 2 {set v}] [uplevel #1 {set v}] [uplevel #0 {set v}] [uplevel 0 {set v}] }
set v global
puts [a]
proc myloop {var list body} {
    upvar 1 $var x
    foreach x $list { uplevel 1 $body }
}
set acc {}
myloop item {1 2 3} { lappend acc [expr {$item * $item}] }
puts $acc
proc L {} { uplevel 1 {info level} }
proc M {} { L }
puts [M]
