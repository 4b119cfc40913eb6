proc down {n} { if {$n == 0} {return bottom}; return [down [expr {$n - 1}]] }
puts [down 900]
proc count {n} { if {$n == 0} {return 0}; expr {1 + [count [incr n -1]]} }
puts [count 500]
proc sumto {n acc} { if {$n == 0} {return $acc}; tailish [expr {$n-1}] [expr {$acc+$n}] }
proc tailish {n acc} { sumto $n $acc }
puts [sumto 400 0]
