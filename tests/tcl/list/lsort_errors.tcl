catch {lsort} m; puts $m
catch {lsort -integer {1 2 x}} m; puts $m
catch {lsort -real {1.0 abc}} m; puts $m
catch {lsort -bogus {a b}} m; puts $m
catch {lsort -index} m; puts $m
set bad "a {b"
catch {lsort $bad} m; puts $m
catch {lsort -command} m; puts $m
