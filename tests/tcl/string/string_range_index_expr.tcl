set s 0123456789
puts [string range $s 2+3 end-2]
puts [string range $s end-3 end-1]
puts [string index $s 10-1]
puts [string range $s 1 1+1]
catch {string range $s 1 1+x} m; puts $m
