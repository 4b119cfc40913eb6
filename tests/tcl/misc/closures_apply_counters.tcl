proc make_adder {n} { return [list {x} "expr {\$x + $n}"] }
set add5 [make_adder 5]
puts [apply $add5 10]
puts [lmap v {1 2 3} {apply $add5 $v}]
set counter 0
proc next_id {} { global counter; return [incr counter] }
puts [list [next_id] [next_id] [next_id]]
proc memo_fib {n} {
    global memo
    if {[info exists memo($n)]} {return $memo($n)}
    if {$n < 2} {set r $n} else {set r [expr {[memo_fib [expr {$n-1}]] + [memo_fib [expr {$n-2}]]}]}
    set memo($n) $r
}
puts [memo_fib 90]
