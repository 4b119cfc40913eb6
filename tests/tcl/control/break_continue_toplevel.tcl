catch {break} msg opts; puts "break: [dict get $opts -code]"
catch {continue} msg opts; puts "continue: [dict get $opts -code]"
puts [catch {break}]
puts [catch {continue}]
proc p {} {break}
puts [catch p msg]
puts $msg
proc q {} {continue}
puts [catch q msg]
puts $msg
catch {break extra} msg; puts $msg
catch {continue extra} msg; puts $msg
