catch {info} m; puts $m
catch {info bogus} m; puts $m
catch {info level 1 2} m; puts $m
catch {info locals a b} m; puts $m
catch {info body} m; puts $m
catch {info default} m; puts $m
catch {info procs a b} m; puts $m
