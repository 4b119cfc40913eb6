proc r1 {} { return -code error "custom error" }
catch r1 m o; puts "$m [dict get $o -code]"
proc r2 {} { return -code break }
puts [catch r2]
proc r3 {} { return -code continue }
puts [catch r3]
proc r4 {} { return -code 42 weird }
puts [catch r4 m]; puts $m
proc r5 {} { return -code return inner }
proc outer {} { r5; return "not reached" }
puts [outer]
proc r6 {} { return -errorcode {POSIX ENOENT} -code error "no file" }
catch r6 m o; puts "$m / [dict get $o -errorcode]"
catch {return -code bogus} m; puts $m
catch {return -level -1} m; puts $m
catch {return -code} m; puts $m
