set out {}
foreach x {1 2 3 4} {
    set code [catch { if {$x == 2} break; if {$x == 3} continue; lappend out $x }]
    lappend out "code$code"
}
puts $out
set i 0
while {$i < 3} {
    incr i
    if {[catch {error "fail $i"} m]} { puts "caught: $m" ; continue }
    puts "never"
}
