puts [string equal -nocase -length 3 ABCx abcy]
puts [string compare -nocase -length 3 ABCx abcy]
puts [string compare -length 0 a b]
puts [string equal -length 0 a b]
catch {string compare -- -a -a} m; puts $m
puts [string compare -a -a]
puts [string equal -nocase -nocase]
catch {string compare -nocase} m; puts $m
catch {string equal -length} m; puts $m
