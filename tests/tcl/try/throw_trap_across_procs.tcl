proc level3 {} { throw {DB CONN TIMEOUT} "connection timed out" }
proc level2 {} { level3 }
proc level1 {} {
    try { level2 } trap {DB CONN} {msg opts} {
        return "recovered: $msg ([lindex [dict get $opts -errorcode] end])"
    }
}
puts [level1]
proc rethrow {} {
    try { level2 } trap {DB} {msg opts} { throw {APP WRAPPED} "wrapped: $msg" }
}
catch rethrow m o
puts "$m / [dict get $o -errorcode]"
puts $::errorInfo
