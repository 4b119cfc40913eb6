puts [regexp {abc} xabcx]
puts [regexp {^abc} xabc]
puts [regexp {a.c} abc]
puts [regexp {a.c} "a\nc"]
puts [regexp {\d+} abc123]
puts [regexp {^\s*$} "   "]
puts [regexp {colou?r} color]
puts [regexp {(ab)+} ababab m]
puts $m
puts [regexp {[[:alpha:]]+} "123abc456" m]
puts $m
puts [regexp {x*} "" m]
puts "<$m>"
puts [regexp {} abc]
puts [regexp {a|b|c} zzc]
puts [regexp {\.} a.b]
puts [regexp {a{2,3}} caaat m]; puts $m
