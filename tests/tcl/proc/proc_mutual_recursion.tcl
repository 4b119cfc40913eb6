proc is_even {n} { if {$n == 0} {return 1}; is_odd [expr {$n - 1}] }
proc is_odd {n} { if {$n == 0} {return 0}; is_even [expr {$n - 1}] }
puts [is_even 10]
puts [is_odd 7]
puts [is_even 401]
proc hanoi {n from to via} {
    if {$n == 0} return
    hanoi [expr {$n-1}] $from $via $to
    global moves; incr moves
    hanoi [expr {$n-1}] $via $to $from
}
set moves 0
hanoi 10 A C B
puts $moves
