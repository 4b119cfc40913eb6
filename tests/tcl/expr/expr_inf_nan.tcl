puts [expr {1e308 * 10}]
puts [expr {-1e308 * 10}]
puts [expr {Inf + 1}]
puts [expr {-Inf}]
puts [expr {Inf > 1e308}]
puts [expr {1 / Inf}]
catch {expr {Inf - Inf}} m; puts $m
catch {expr {NaN + 1}} m; puts $m
catch {expr {0.0 / 0.0}} m; puts $m
puts [expr {1.0 / 0}]
puts [expr {-1.0 / 0}]
puts [expr {double("inf")}]
catch {expr {isinf(1)}} m; puts $m
catch {expr {int(Inf)}} m; puts $m
