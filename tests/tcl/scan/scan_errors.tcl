catch {scan} m; puts $m
catch {scan abc} m; puts $m
catch {scan abc %q} m; puts $m
catch {scan 12 "%d %d" a} m; puts $m
catch {scan 12 %d a b} m; puts $m
catch {scan 12 {%1$d %d}} m; puts $m
catch {scan abc {%[a}} m; puts $m
catch {scan 1 {%2$d}} m; puts $m
