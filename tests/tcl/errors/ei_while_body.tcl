set i 0
catch {
    while {$i < 10} {
        incr i
        if {$i == 3} { error "i reached 3" }
    }
} m
puts $m
puts $::errorInfo
proc w {} {
    set i 0
    while 1 {
        incr i
        if {$i > 2} { nosuch_cmd_in_while }
    }
}
catch w m
puts $::errorInfo
