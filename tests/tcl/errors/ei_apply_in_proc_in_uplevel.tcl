proc runner {script} { uplevel 1 $script }
proc worker {} {
    runner { apply {{} { error "deep in apply" }} }
}
catch worker m
puts $m
puts $::errorInfo
