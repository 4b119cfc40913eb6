catch {expr {sqrt(-1)}} m; puts $m
catch {expr {log(0)}} m; puts $m
catch {expr {log(-1)}} m; puts $m
catch {expr {abs()}} m; puts $m
catch {expr {abs(1, 2)}} m; puts $m
catch {expr {max()}} m; puts $m
catch {expr {min("a", 1)}} m; puts $m
catch {expr {nosuchfunc(1)}} m; puts $m
catch {expr {pow(1)}} m; puts $m
catch {expr {isqrt(-1)}} m; puts $m
catch {expr {bool(2.5x)}} m; puts $m
catch {expr {fmod(1, 0)}} m; puts $m
catch {expr {acos(2)}} m; puts $m
catch {expr {sqrt("x")}} m; puts $m
catch {expr {int()}} m; puts $m
