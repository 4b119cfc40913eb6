puts [llength [info commands puts]]
catch {nonexistent_command_xyz} m; puts $m
proc defined_later {} { return yes }
puts [defined_later]
puts [expr {[info commands defined_later] eq "defined_later"}]
