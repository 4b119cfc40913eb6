catch {expr {1 / 0}} m
puts $m
puts $::errorCode
puts $::errorInfo
catch {expr {"abc" + 1}} m
puts $m
puts $::errorCode
puts $::errorInfo
catch {expr {sqrt(-1)}} m
puts $m
puts $::errorCode
catch {expr {1 % 0}} m
puts "$m / $::errorCode"
catch {expr {2.0 / 0}} m
puts "$m"
catch {expr {0.0 / 0}} m
puts "$m / $::errorCode"
