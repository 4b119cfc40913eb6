proc outer {} {
    set local outer-local
    middle
    return $local
}
proc middle {} { inner }
proc inner {} { uplevel 2 {append local "+modified"} }
puts [outer]
proc counter {} { uplevel #0 {incr globalcount} }
set globalcount 0
for {set i 0} {$i < 5} {incr i} { counter }
puts $globalcount
