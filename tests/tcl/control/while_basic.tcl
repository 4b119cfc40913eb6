set i 0
while {$i < 5} {incr i}
puts $i
set i 0
set out {}
while {1} {
    incr i
    if {$i > 10} break
    if {$i % 2} continue
    lappend out $i
}
puts $out
puts "<[while 0 {}]>"
set n 3
while {$n} {puts "n=$n"; incr n -1}
catch {while} msg; puts $msg
catch {while 1} msg; puts $msg
catch {while {foo} {}} msg; puts $msg
catch {while 1 2 3} msg; puts $msg
