proc primes {n} {
    set sieve [lrepeat [expr {$n + 1}] 1]
    lset sieve 0 0; lset sieve 1 0
    for {set i 2} {$i * $i <= $n} {incr i} {
        if {[lindex $sieve $i]} {
            for {set j [expr {$i * $i}]} {$j <= $n} {incr j $i} { lset sieve $j 0 }
        }
    }
    set r {}
    for {set i 0} {$i <= $n} {incr i} { if {[lindex $sieve $i]} { lappend r $i } }
    return $r
}
puts [primes 100]
puts [llength [primes 2000]]
proc gcd {a b} { while {$b} { lassign [list $b [expr {$a % $b}]] a b }; return $a }
puts [gcd 48 18]
puts [gcd [expr {2**80}] [expr {6**30}]]
