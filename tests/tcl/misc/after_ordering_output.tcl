puts -nonewline "a"
flush stdout
puts stderr "err1"
puts "b"
puts stderr "err2"
puts "c"
