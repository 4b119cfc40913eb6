catch {subst {$undefined}} m; puts $m
catch {subst {[nosuchcmd]}} m; puts $m
catch {subst {[}} m; puts $m
catch {subst {$arr(}} m; puts $m
set x 1
catch {subst {$x(1)}} m; puts $m
