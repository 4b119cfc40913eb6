# A small tour of Agent Tcl: procs, recursion, lists, dicts, errors.
proc factorial n {
    if {$n <= 1} { return 1 }
    expr {$n * [factorial [expr {$n - 1}]]}
}
puts "10! = [factorial 10]"
puts "30! = [factorial 30]"

set words {mobile agents move between nodes with their whole state}
puts "longest word: [lindex [lsort -command {apply {{a b} {expr {[string length $b] - [string length $a]}}}} $words] 0]"

set counts [dict create]
foreach w $words { dict incr counts [string index $w 0] }
dict for {letter n} $counts { puts "$letter: $n" }

if {[catch {error "something went wrong"} msg opts]} {
    puts "caught: $msg (code [dict get $opts -code])"
}
