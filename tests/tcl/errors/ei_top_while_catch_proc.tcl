proc risky {n} { if {$n == 2} { error "risky $n" }; return $n }
set i 0
set results {}
while {$i < 4} {
    incr i
    if {[catch {risky $i} m]} {
        lappend results "E($m)"
        puts $::errorInfo
    } else {
        lappend results $m
    }
}
puts $results
