proc loopret {} {
    foreach x {1 2 3} {
        while 1 {
            if {$x == 2} {return "returned at $x"}
            break
        }
    }
    return none
}
puts [loopret]
proc lmapret {} { lmap x {1 2 3} { if {$x == 2} {return early} ; set x } }
puts [lmapret]
proc sw {} { switch a { a { return fromswitch } } ; return after }
puts [sw]
