set log {}
try {
    try {
        error inner
    } finally {
        lappend log inner-finally
    }
} on error {m} {
    lappend log "outer caught $m"
} finally {
    lappend log outer-finally
}
puts $log
proc p {} {
    try { return from-try } finally { puts "finally in proc" }
}
puts [p]
proc q {} {
    foreach x {1 2 3} {
        try { if {$x == 2} continue; puts "x=$x" } finally { puts "fin $x" }
    }
}
q
