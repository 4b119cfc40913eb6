proc p {x} {
    if {$x > 0} {
        set r positive
        error "positive not allowed"
    } else {
        return neg
    }
}
catch {p 1} m
puts $::errorInfo
catch {if {$undefinedvar} {}} m
puts $m
puts $::errorInfo
