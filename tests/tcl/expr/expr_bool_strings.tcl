foreach v {1 0 true false yes no on off 1.5 0.0 -1} {
    puts "$v -> [expr {$v ? "T" : "F"}] [expr {!$v}]"
}
catch {expr {"maybe" ? 1 : 0}} m; puts $m
catch {expr {!"maybe"}} m; puts $m
