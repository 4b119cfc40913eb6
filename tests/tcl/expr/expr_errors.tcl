catch {expr} m; puts $m
catch {expr {}} m; puts $m
catch {expr {1 +}} m; puts $m
catch {expr {(1 + 2}} m; puts $m
catch {expr {1 + 2)}} m; puts $m
catch {expr {foo}} m; puts $m
catch {expr {"abc" * 2}} m; puts $m
catch {expr {1 / 0}} m; puts $m
catch {expr {1 % 0}} m; puts $m
catch {expr {$nosuchvar + 1}} m; puts $m
catch {expr {1 ? 2}} m; puts $m
catch {expr {1 2}} m; puts $m
catch {expr {[nosuchcmd]}} m; puts $m
catch {expr {"" + 1}} m; puts $m
catch {expr {1 +* 2}} m; puts $m
catch {expr {~1.5}} m; puts $m
catch {expr {!"abc"}} m; puts $m
catch {expr {0x}} m; puts $m
catch {expr {1.5 % 2}} m; puts $m
catch {expr {08}} m; puts $m
