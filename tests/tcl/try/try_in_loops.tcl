set res {}
foreach x {1 0 2 0 3} {
    try {
        lappend res [expr {6 / $x}]
    } trap {ARITH DIVZERO} {} {
        lappend res div0
    }
}
puts $res
set i 0
while 1 {
    try { incr i; if {$i > 3} break } finally { }
}
puts $i
