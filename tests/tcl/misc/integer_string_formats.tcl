set n 255
puts [format "%d %x %o %b" $n $n $n $n]
puts [expr {0xff + 0o17 + 0b11}]
puts [scan ff %x]
puts [format %08.3f 3.14159]
puts [string is integer 0xff]
puts [expr {"0xff" + 1}]
puts [format %s 0xff]
