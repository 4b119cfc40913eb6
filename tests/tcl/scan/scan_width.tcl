puts [scan "12345" %2d%3d]
puts [scan "abcdef" %3s%3s]
catch {scan "abc" %1c} m; puts $m
puts [scan "123456" %3d]
puts [scan "3.14159" %4f]
puts [scan "ffff" %2x%2x]
