catch {error boom} msg opts
puts $msg
puts [dict get $opts -code]
puts [dict get $opts -level]
puts [dict get $opts -errorcode]
catch {error boom {} MYCODE} msg opts
puts [dict get $opts -errorcode]
catch {set x 42} msg opts
puts "$msg [dict get $opts -code] [dict get $opts -level]"
puts [lsort [dict keys $opts]]
catch {error boom} msg opts
puts [lsort [dict keys $opts]]
catch {return -level 0 -code 3 x} msg opts
puts "[dict get $opts -code] [dict get $opts -level]"
catch {return -foo bar hi} msg opts
puts "$msg [dict get $opts -foo] [dict get $opts -code] [dict get $opts -level]"
proc p {} {return -code error -errorcode {A B} oops}
catch p msg opts
puts "$msg [dict get $opts -code] [dict get $opts -errorcode] [dict get $opts -level]"
