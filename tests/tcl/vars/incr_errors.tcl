set s abc
catch {incr s} m; puts $m
set f 1.5
catch {incr f} m; puts $m
set i 1
catch {incr i 1.0} m; puts $m
catch {incr i abc} m; puts $m
catch {incr} m; puts $m
catch {incr i 1 2} m; puts $m
set e ""
catch {incr e} m; puts $m
set arr(1) 1
catch {incr arr} m; puts $m
set o 08
catch {incr o} m; puts $m
