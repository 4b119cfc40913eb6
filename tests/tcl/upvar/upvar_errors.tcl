catch {upvar} m; puts $m
catch {upvar a} m; puts $m
proc p {} { upvar 5 x y }
catch p m; puts $m
proc q {} { upvar abc x y }
catch q m; puts $m
proc r {} { set y 1; upvar 1 x y }
catch r m; puts $m
proc s {} { upvar 1 x y(1) }
catch s m; puts $m
proc t {} { upvar 1 x }
catch t m; puts $m
catch {upvar 1 x y} m; puts $m
proc u {} { upvar #-1 x y }
catch u m; puts $m
