proc failing {} { error "deep failure" }
try { failing } on error {m o} {
    puts $m
    puts [dict get $o -errorinfo]
    puts [dict get $o -errorline]
}
try {
    set a 1
    failing
} on error {m o} { puts "line [dict get $o -errorline]" }
