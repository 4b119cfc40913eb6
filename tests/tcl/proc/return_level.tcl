proc inner {} { return -level 2 "from inner" }
proc outer {} { inner; return "outer continued" }
puts [outer]
proc inner3 {} { return -level 3 "three up" }
proc mid {} { inner3; return mid }
proc top {} { mid; return top }
puts [top]
proc lvl0 {} { set x [return -level 0 immediate]; return "got $x" }
puts [lvl0]
proc brk {} { return -level 2 -code break }
proc loop {} { foreach x {1 2 3} { puts "x=$x"; if {$x == 2} brk }; return loopdone }
foreach y {a b} { puts "y=$y"; loop }
puts "outer loop was broken"
proc errup {} { return -level 2 -code error "error two up" }
proc caller {} { errup; return fine }
puts [catch caller m]; puts $m
