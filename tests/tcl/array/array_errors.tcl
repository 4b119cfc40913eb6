catch {array} m; puts $m
catch {array bogus x} m; puts $m
catch {array get} m; puts $m
catch {array size} m; puts $m
catch {array exists} m; puts $m
set s 1
catch {array set s {a 1}} m; puts $m
set a(x) 1
catch {set a} m; puts $m
catch {puts $a} m; puts $m
catch {array get a x y} m; puts $m
catch {array names a -glob x y} m; puts $m
