set s abcdef
puts [string index $s 0]
puts [string index $s end]
puts [string index $s end-1]
puts "<[string index $s 6]>"
puts "<[string index $s -1]>"
puts [string index $s 2+1]
puts [string index "héllo" 1]
puts "<[string index "" 0]>"
puts [string index $s end-5]
puts "<[string index $s end-6]>"
catch {string index $s x} m; puts $m
catch {string index $s} m; puts $m
