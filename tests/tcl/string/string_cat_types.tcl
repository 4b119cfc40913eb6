puts [string cat 1 2]
puts [expr {[string cat 1 2] + 1}]
puts [string cat [list a b] [list c]]
puts [string cat "\{" "\}"]
set x [string cat]
puts "<$x>"
