set out {}
foreach i {1 2 3} {
    set j 0
    while {1} {
        incr j
        if {$j > $i} break
        for {set k 0} {$k < 2} {incr k} {
            if {$k == 1 && $i == 2} continue
            lappend out "$i.$j.$k"
        }
    }
}
puts $out
proc findfirst {lst target} {
    set idx 0
    foreach e $lst {
        if {$e eq $target} {return $idx}
        incr idx
    }
    return -1
}
puts [findfirst {a b c d} c]
puts [findfirst {a b c d} z]
