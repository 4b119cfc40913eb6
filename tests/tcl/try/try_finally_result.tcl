puts [try { set x body-result } finally { set y finally-result }]
puts [try { error e } on error {} { set z handler-result } finally { set w fin }]
proc p {} { try { return from-body } finally { set ignored 1 } }
puts [p]
set log {}
proc q {} { global log; try { lappend log a; return -code break } finally { lappend log b } }
foreach i {1 2} { q; lappend log never }
puts $log
