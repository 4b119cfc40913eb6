catch {regexp} m; puts $m
catch {regexp {(} x} m; puts $m
catch {regexp {[a} x} m; puts $m
catch {regexp {a{2,1}} x} m; puts $m
catch {regexp {*a} x} m; puts $m
catch {regexp -bogus a b} m; puts $m
set pat "\\"
catch {regexp $pat x} m; puts $m
catch {regexp -start x a b} m; puts $m
catch {regexp -all -inline a b c} m; puts $m
catch {regexp {a)} x} m; puts $m
