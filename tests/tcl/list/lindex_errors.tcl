catch {lindex {a b} x} m; puts $m
catch {lindex {a b} end-} m; puts $m
catch {lindex {a b} endx} m; puts $m
catch {lindex {a b} 1.5} m; puts $m
catch {lindex {a b} {1 x}} m; puts $m
catch {lindex {a b} --1} m; puts $m
catch {lindex {a b} e} m; puts $m
catch {lindex} m; puts $m
puts [lindex {a b c} end--1]
puts [lindex {a b c} -1+2]
