puts [format %*d 6 42]
puts [format %-*d| 6 42]
puts [format %.*f 3 3.14159]
puts [format %*.*f 10 2 3.14159]
puts [format {%2$s %1$s} world hello]
puts [format {%1$s %1$s} echo]
catch {format {%2$*1$d|} 5 42} m; puts $m
puts [format %*s| -6 ab]
catch {format {%1$s %s} a b} m; puts $m
catch {format {%3$s} a} m; puts $m
