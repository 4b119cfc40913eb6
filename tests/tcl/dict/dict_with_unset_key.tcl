set d {a 1 b 2 c 3}
dict with d { unset b; set a 100 }
puts $d
proc p {} {
    set d {x 1}
    dict with d { set y 2 }
    return [list $d [info exists y]]
}
puts [p]
