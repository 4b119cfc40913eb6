set t {{{1 2} {3 4}} {{5 6} {7 8}}}
lset t 1 1 1 X
puts $t
lset t 0 0 {a b c}
puts $t
lset t 0 0 1 Y
puts $t
set e {}
lset e 0 first
puts $e
set shared {a b c}
set copy $shared
lset copy 0 Z
puts "$shared / $copy"
set s "x"
lset s 0 0 z
puts $s
catch {lset t 0 5 1 q} m; puts $m
