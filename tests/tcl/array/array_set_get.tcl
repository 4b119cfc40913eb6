array set a {x 1 y 2 z 3}
puts [array size a]
puts [lsort [array names a]]
puts [lsort -stride 2 [array get a]]
puts [array get a x]
puts [lsort -stride 2 [array get a {[xy]}]]
puts "<[array get a nomatch]>"
array set a {x 10 w 0}
puts [lsort -stride 2 [array get a]]
array set empty {}
puts [array exists empty]
puts [array size empty]
catch {array set a {1 2 3}} m; puts $m
catch {array set} m; puts $m
