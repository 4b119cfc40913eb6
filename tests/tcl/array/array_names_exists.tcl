array set colors {red 1 green 2 blue 3 black 4}
puts [lsort [array names colors]]
puts [lsort [array names colors b*]]
puts [lsort [array names colors -glob *e*]]
puts [lsort [array names colors -exact red]]
puts [lsort [array names colors -regexp {^[rg]}]]
puts [array exists colors]
puts [array exists nosuch]
set scalar 1
puts [array exists scalar]
puts "<[array names nosuch]>"
catch {array names colors -bogus x} m; puts $m
