set text "the cat sat on the mat with the hat"
set pos 0
set found {}
while {[set idx [string first "at" $text $pos]] >= 0} {
    lappend found $idx
    set pos [expr {$idx + 1}]
}
puts $found
set count 0
set pos [string length $text]
while {[set idx [string last "the" $text $pos]] >= 0} {
    incr count
    set pos [expr {$idx - 1}]
}
puts $count
