for {set i 0} {$i < 4} {incr i} {puts "i=$i"}
puts "after: $i"
set s 0
for {set i 1} {$i <= 100} {incr i} {incr s $i}
puts $s
for {set i 0} {$i < 10} {incr i} {
    if {$i == 3} continue
    if {$i == 6} break
    puts -nonewline "$i "
}
puts ""
puts "<[for {set i 0} {$i < 2} {incr i} {}]>"
for {set i 0; set j 10} {$i < $j} {incr i; incr j -1} {}
puts "$i $j"
catch {for} msg; puts $msg
catch {for {set i 0} {$i<1}} msg; puts $msg
catch {for {set i 0} {bad expr} {incr i} {}} msg; puts $msg
