catch {
    set a 1
    set b 2
    error "third line"
} msg opts
puts "$msg line=[dict get $opts -errorline]"
proc p {} {
    set x 1
    expr {1/0}
}
catch p msg opts
puts "$msg line=[dict get $opts -errorline]"
catch {error x} msg opts
puts [dict get $opts -errorline]
