proc need2 {a b} { return }
proc caller {} {
    need2 only_one
}
catch caller m
puts $m
puts $::errorInfo
puts $::errorCode
