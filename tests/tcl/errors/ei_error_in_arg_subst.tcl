proc p {} {
    puts [string toupper [lindex [nosuch] 0]]
}
catch p m
puts $::errorInfo
catch {set x "abc[error inquote]def"} m
puts $::errorInfo
