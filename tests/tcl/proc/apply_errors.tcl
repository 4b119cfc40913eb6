catch {apply} m; puts $m
catch {apply {{x} {}}} m; puts $m
catch {apply {{x} {}} 1 2} m; puts $m
catch {apply {}} m; puts $m
catch {apply {a b c d}} m; puts $m
catch {apply {{x} {error "in lambda"}} 1} m; puts $m
puts $::errorInfo
catch {apply {{{}} {}} 1} m; puts $m
catch {apply {a} 1} m; puts $m
