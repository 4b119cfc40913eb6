catch {lsearch} m; puts $m
catch {lsearch a} m; puts $m
catch {lsearch -bogus {a} a} m; puts $m
catch {lsearch -start {a b} a} m; puts $m
catch {lsearch -start x {a b} a} m; puts $m
catch {lsearch -regexp {a b} (} m; puts $m
catch {lsearch -integer {1 x 3} 3} m; puts $m
catch {lsearch -index 2 {{a b} {c d}} x} m; puts $m
puts [lsearch -start 10 {a b} a]
puts [lsearch -start -3 {a b} a]
