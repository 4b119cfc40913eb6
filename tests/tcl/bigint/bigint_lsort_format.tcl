puts [format %d [expr {2**64}]]
puts [format %lld [expr {2**64}]]
catch {format %llu [expr {-1}]} m; puts $m
catch {format %llu [expr {2**64}]} m; puts $m
catch {format %llu 18446744073709551615} m; puts $m
catch {format %llu 12345} m; puts $m
puts [format %lu 12345]
puts [format %20lld| [expr {2**65}]]
puts [format %-25lld| [expr {-2**65}]]
puts [format %+lld [expr {2**65}]]
