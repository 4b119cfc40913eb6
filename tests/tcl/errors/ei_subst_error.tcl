catch {subst {a [error "in subst"] b}} m
puts $m
puts $::errorInfo
catch {subst {$nosuchvar}} m
puts $m
