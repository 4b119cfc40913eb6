proc foo {} {return foo}
rename foo bar
puts [bar]
catch foo m; puts $m
rename bar {}
catch bar m; puts $m
catch {rename nosuch x} m; puts $m
proc a {} {return a}
proc b {} {return b}
catch {rename a b} m; puts $m
catch {rename a} m; puts $m
rename set myset
myset z 5
puts $z
rename myset set
puts [set z]
rename puts origputs
proc puts {args} { origputs "wrapped: [lindex $args end]" }
puts hello
rename puts {}
rename origputs puts
puts normal
catch {rename {} x} m; puts $m
