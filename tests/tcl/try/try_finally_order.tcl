proc t {what} {
    set log {}
    try {
        lappend log body
        switch $what {
            error {error E}
            return {return R}
            break {break}
            ok {set x ok}
        }
    } on error {m} {
        lappend log "handler($m)"
    } finally {
        lappend log finally
        puts "log: $log"
    }
}
puts "result: [t ok]"
puts "result: [t error]"
puts "result: [t return]"
catch {t break} m o; puts "code: [dict get $o -code]"
