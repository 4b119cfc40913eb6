proc p {} { set x 1; global x }
catch p m; puts $m
proc q {} { global a(1) }
catch q m; puts $m
proc r {} { return $undefinedglobal }
catch r m; puts $m
proc s {} { global undef; return $undef }
catch s m; puts $m
