proc brk {} { return -code break }
set out {}
foreach x {1 2 3} { if {$x == 2} brk; lappend out $x }
puts $out
proc cont {} { return -code continue }
set out {}
foreach x {1 2 3} { if {$x == 2} cont; lappend out $x }
puts $out
# a break evaluated by uplevel comes back out of the proc as an error
proc upbrk {} { uplevel 1 break }
set out {}
catch { foreach x {1 2 3} { if {$x == 2} upbrk; lappend out $x } } m
puts "$out / $m"
proc retup {} { uplevel 1 {return fromup} }
proc caller {} { retup; return notreached }
puts [caller]
proc myif {cond body} { if {[uplevel 1 [list expr $cond]]} { uplevel 1 $body } }
set q 5
myif {$q > 3} { puts "q is big" }
