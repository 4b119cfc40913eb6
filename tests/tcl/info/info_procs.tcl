proc zq_alpha {} {}
proc zq_beta {x} {}
proc zq_gamma {} {}
puts [lsort [info procs zq_alpha]]
puts [lsort [info procs {zq_[ab]*}]]
puts [lsort [info procs *q_?amm*]]
puts [info procs nosuch]
rename zq_beta {}
puts [lsort [info procs {zq_[ab]*}]]
puts [lsort [info procs zq_*]]
puts [expr {[lsearch [info procs] zq_gamma] >= 0}]
puts [info procs set]
