proc f {} {
    set r [catch {
        try { error first } finally { puts "in finally" }
    } m o]
    return "$r $m [dict get $o -errorcode]"
}
puts [f]
proc g {} {
    try { set x 1 } on ok {v} { error "handler err $v" } finally { puts "g finally" }
}
catch g m; puts $m
