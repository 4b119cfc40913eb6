proc p {} { error "opt test" }
catch p m o
puts [dict get $o -errorinfo]
puts [dict get $o -errorcode]
puts [dict get $o -errorline]
puts [expr {[dict get $o -errorinfo] eq $::errorInfo}]
