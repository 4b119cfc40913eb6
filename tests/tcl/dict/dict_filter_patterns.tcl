set d {apple 1 avocado 2 banana 3 blueberry 4 cherry 5}
puts [dict filter $d key a*]
puts [dict filter $d key *berry]
puts [dict filter $d key a* b*]
puts [dict filter $d value 3]
puts [dict filter $d value {[135]}]
puts [dict filter $d key x*]
