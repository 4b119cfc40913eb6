set l {a b c d e f g}
puts [lrange $l 1+1 end-2]
catch {lrange $l 1 end-1-1} m; puts $m
puts [lrange $l 0x1 0x3]
puts [lrange $l end-0 end]
puts [lrange $l end-100 1]
puts [lrange $l -2-2 2]
catch {lindex $l 3-5+4} m; puts $m
catch {lindex $l end-3+1} m; puts $m
puts [lindex $l 5-3]
puts [lindex $l end+-2]
puts [lindex $l end--2]
catch {lindex $l 1+} m; puts $m
catch {lindex $l 1++1} m; puts $m
catch {lindex $l 1+-1} m; puts $m
catch {lindex $l 9223372036854775807} m; puts $m
catch {lindex $l 99999999999999999999} m; puts $m
puts <[lindex $l 2147483647]>
puts <[lindex $l end-2147483647]>
