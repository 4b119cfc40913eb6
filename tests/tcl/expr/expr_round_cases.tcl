foreach v {0.5 1.5 2.5 -0.5 -1.5 0.49999999999999994 1e15+0.5 4.5 -4.5 2.4999} {
    if {[catch {puts "$v -> [expr round($v)]"} m]} { puts "$v: $m" }
}
puts [expr {round(9223372036854775807.0)}]
puts [expr {round(-1e19)}]
