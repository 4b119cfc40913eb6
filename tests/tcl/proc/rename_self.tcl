proc once {} { rename once {}; return "ran once" }
puts [once]
catch once m; puts $m
proc counter {} { return 1 }
rename counter counter2
puts [lsort [info procs counter*]]
proc redefine_self {} { proc redefine_self {} {return second}; return first }
puts [redefine_self]
puts [redefine_self]
