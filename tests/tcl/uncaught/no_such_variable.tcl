set a 1
puts $a
puts $b
