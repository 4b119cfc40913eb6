catch {eval {error "in eval"}} m
puts $::errorInfo
proc p {} {
    eval {set x 1} {;} {error "second command"}
}
catch p m
puts $::errorInfo
catch {eval "set a 1\nset b \$nosuch"} m
puts $m
puts $::errorInfo
