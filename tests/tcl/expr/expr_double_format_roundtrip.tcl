foreach v {0.1 0.3 1.1 2.675 1e-7 123.456 1.0e10 3.14159265358979 100.0 1e300} {
    set d [expr {double($v)}]
    puts "$v -> $d -> [expr {$d * 1}] [expr {$d == $v}]"
}
puts [expr {0.1 * 3}]
puts [expr {1.1 * 1.1}]
puts [expr {1e23}]
puts [expr {9007199254740993.0}]
puts [expr {4.35 * 100}]
