catch {dict} m; puts $m
catch {dict bogus} m; puts $m
catch {dict get "a b c"} m; puts $m
catch {dict set} m; puts $m
catch {dict set x} m; puts $m
catch {dict for} m; puts $m
catch {dict with} m; puts $m
catch {dict filter {a 1}} m; puts $m
catch {dict map} m; puts $m
set bad "x \{"
catch {dict merge {a 1} $bad} m; puts $m
catch {dict incr} m; puts $m
catch {dict append} m; puts $m
set notdict "a b c"
catch {dict keys $notdict} m; puts $m
catch {dict exists} m; puts $m
