catch {set nosuch} m; puts $m
catch {puts $nosuch} m; puts $m
set arr(a) 1
catch {set arr} m; puts $m
catch {set arr 5} m; puts $m
catch {puts $arr(zz)} m; puts $m
set scalar 1
catch {set scalar(x) 2} m; puts $m
catch {puts $scalar(x)} m; puts $m
catch {set nosucharr(x)} m; puts $m
