catch {try { error body } finally { error final }} m; puts $m
catch {try { set x 1 } finally { error final }} m; puts $m
catch {try { error body } on error {} { error handler } finally { puts "finally still runs" }} m; puts $m
puts $::errorCode
catch {try { error body } on error {} { error handler }} m o
puts "$m [dict exists $o -during]"
puts [dict get $o -during -code]
puts [dict get $o -during -errorcode]
puts [dict get $o -during -errorline]
catch {try { error b1 } finally { return -code error f1 }} m o
puts "$m [dict exists $o -during]"
catch {try { error b1 } finally { error f2 }} m o
puts "$m [dict exists $o -during] [dict get $o -during -code]"
