proc ::globalproc {} {return gp}
puts [globalproc]
puts [::globalproc]
proc a.b {} {return dotted}
puts [a.b]
proc 123 {} {return numeric}
puts [123]
proc {} {} {return empty-name}
puts [{}]
proc {with space} {} {return spaced}
puts [{with space}]
proc + {a b} {expr {$a + $b}}
puts [+ 1 2]
puts [lsort [info procs {[+1w]*}]]
puts [lsort [info procs a.*]]
