array set a {a 1 b 2 c 3 d 4}
puts [array size a]
array unset a a
puts [array size a]
array unset a {[bc]}
puts [lsort [array names a]]
array unset a
puts [array exists a]
puts [array size nosuch]
array unset nosuch
puts done
set s 1
catch {array size s} m; puts "<$m>"
catch {array unset s} m; puts "<$m>"
