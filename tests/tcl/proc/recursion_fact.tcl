proc fact {n} { if {$n <= 1} {return 1}; expr {$n * [fact [expr {$n - 1}]]} }
puts [fact 0]
puts [fact 5]
puts [fact 20]
puts [fact 21]
puts [fact 30]
proc fib {n} { if {$n < 2} {return $n}; expr {[fib [expr {$n-1}]] + [fib [expr {$n-2}]]} }
puts [fib 15]
proc ack {m n} {
    if {$m == 0} {return [expr {$n+1}]}
    if {$n == 0} {return [ack [expr {$m-1}] 1]}
    return [ack [expr {$m-1}] [ack $m [expr {$n-1}]]]
}
puts [ack 2 3]
