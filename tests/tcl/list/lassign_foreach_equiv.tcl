set data {1 2 3 4 5 6}
while {[llength $data]} {
    set data [lassign $data a b]
    puts "$a+$b=[expr {$a + $b}]"
}
lassign {x y} a a
puts $a
