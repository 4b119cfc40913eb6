set d {a 1}
puts [expr {[dict exists $d b] ? [dict get $d b] : "default"}]
proc getdef {d k def} { if {[dict exists $d $k]} { return [dict get $d $k] }; return $def }
puts [getdef $d a 0]
puts [getdef $d z 0]
catch {dict getdef $d z 0} m; puts [string match {unknown or ambiguous subcommand "getdef"*} $m]
