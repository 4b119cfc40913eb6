puts [info level]
proc a {} { return [info level] }
proc b {} { a }
proc c {} { b }
puts "[a] [b] [c]"
proc showme {x y} { return [info level 0] }
puts [showme 1 {2 3}]
proc caller {} { callee hello }
proc callee {arg} { return [info level -1] }
puts [caller]
proc depth1 {} { depth2 }
proc depth2 {} { return [list [info level 1] [info level 2] [info level]] }
puts [depth1]
catch {info level 5} m; puts $m
catch {info level -1} m; puts $m
catch {info level abc} m; puts $m
proc neg {} { info level -2 }
catch neg m; puts $m
