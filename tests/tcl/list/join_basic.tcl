puts [join {a b c}]
puts [join {a b c} ,]
puts [join {a b c} ", "]
puts [join {a b c} ""]
puts "<[join {}]>"
puts [join {{a b} c}]
puts [join {{a b} c} -]
puts [join {single} ,]
puts [join [list "x y" z] |]
catch {join} m; puts $m
catch {join a b c} m; puts $m
set bad "a {b"
catch {join $bad} m; puts $m
