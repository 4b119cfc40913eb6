set a(a,b) comma
set a(x.y) dot
set a(1) n1
set a(01) n01
set a(-) dash
set a(\$) dollar
set a({}) braces
puts [lsort [array names a]]
puts $a(1)
puts $a(01)
puts "$a(a,b) $a(x.y) $a(-)"
set i 1
puts $a(0$i)
puts [array get a {{}}]
