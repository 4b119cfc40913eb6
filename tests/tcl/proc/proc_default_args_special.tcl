proc p {{a "x y"} {b {}} {c "\{"}} { list $a $b $c }
puts [p]
puts [info default p a v]; puts $v
proc q {{n 5}} { incr n }
puts [q]
puts [q 10]
proc r {a {b a-default}} { return "$a $b" }
puts [r 1]
puts [info args r]
