# Scaling of in-place edits: lappend, append and dict set with N elements
# (argv: N). Prints: name N microseconds.
set n [lindex $argv 0]
proc s_lappend {n} { set l {}; for {set i 0} {$i < $n} {incr i} { lappend l $i }; llength $l }
proc s_append {n} { set s ""; for {set i 0} {$i < $n} {incr i} { append s "abc$i," }; string length $s }
proc s_dict {n} { set d [dict create]; for {set i 0} {$i < $n} {incr i} { dict set d key$i $i }; dict size $d }
foreach b {s_lappend s_append s_dict} {
    set t [lindex [time {$b $n} 1] 0]
    puts "$b $n $t"
}
