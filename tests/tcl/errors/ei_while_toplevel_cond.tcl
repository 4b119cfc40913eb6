catch {
    set i 0
    while {$i < [nosuchcond]} { incr i }
} m
puts $m
puts $::errorInfo
catch {for {set i 0} {$i < 3} {incr j nonint} {}} m
puts $m
puts $::errorInfo
