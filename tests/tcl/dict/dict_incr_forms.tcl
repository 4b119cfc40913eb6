set d {}
dict incr d x
dict incr d x 5
dict incr d y -2
puts $d
dict incr d big 9223372036854775807
dict incr d big
puts [dict get $d big]
catch {dict incr d x 1.5} m; puts $m
catch {dict incr d x a b} m; puts $m
