array set a {ab 1 ac 2 bc 3 b* 4}
array unset a a*
puts [lsort [array names a]]
array unset a {b\*}
puts [lsort [array names a]]
array set a {x 1}
unset a(x)
puts [lsort [array names a]]
catch {unset a(nosuch)} m; puts $m
