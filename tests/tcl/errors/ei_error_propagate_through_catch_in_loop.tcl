proc p {} {
    set errors {}
    foreach v {1 x 3 y} {
        if {[catch {expr {$v * 2}} m]} {
            lappend errors [lindex [split $m \n] 0]
        }
    }
    return $errors
}
foreach e [p] {puts $e}
