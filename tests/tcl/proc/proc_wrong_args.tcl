proc p0 {} {}
proc p1 {a} {}
proc p2 {a b} {}
proc pd {a {b 1}} {}
proc pa {a args} {}
proc pda {a {b 1} args} {}
catch {p0 1} m; puts $m
catch {p1} m; puts $m
catch {p1 1 2} m; puts $m
catch {p2 1} m; puts $m
catch {pd} m; puts $m
catch {pd 1 2 3} m; puts $m
catch {pa} m; puts $m
catch {pda} m; puts $m
proc "spaced name" {x} {}
catch {{spaced name}} m; puts $m
