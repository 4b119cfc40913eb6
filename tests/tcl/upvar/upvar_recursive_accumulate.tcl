proc walk {tree accName} {
    upvar 1 $accName acc
    foreach node $tree {
        if {[llength $node] > 1} {
            walk $node acc
        } else {
            lappend acc $node
        }
    }
}
set result {}
walk {a {b {c d}} e {{f}} {g h}} result
puts $result
proc depth_counter {n} { upvar #0 maxdepth m; if {[info level] > $m} {set m [info level]}; if {$n > 0} {depth_counter [expr {$n-1}]} }
set maxdepth 0
depth_counter 10
puts $maxdepth
