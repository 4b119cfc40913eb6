proc s {v} {
    switch $v {
        a { return ok }
        b {
            error "switch arm b"
        }
    }
}
catch {s b} m
puts $m
puts $::errorInfo
