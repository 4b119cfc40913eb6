set stack {}
foreach x {1 2 3} { lappend stack $x }
while {[llength $stack]} { puts "pop [lindex $stack end]"; set stack [lrange $stack 0 end-1] }
set q {a b c}
while {[llength $q]} { set q [lassign $q head]; puts "dequeue $head" }
