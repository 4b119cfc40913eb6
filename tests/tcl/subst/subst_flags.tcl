set x 1
puts [subst -nocommands {$x [expr 1+1]}]
puts [subst -novariables {$x [expr 1+1]}]
puts [subst -nobackslashes {$x\t[expr 1+1]}]
puts [subst -nocommands -novariables {$x [cmd] \x41}]
puts [subst -nob -noc -nov {$x [cmd] \n}]
catch {subst -bogus x} m; puts $m
catch {subst} m; puts $m
catch {subst a b} m; puts $m
