set d {x 1 y 2}
dict with d { set z [expr {$x + $y}]; set x 100 }
puts $d
puts $z
set cfg {server {host localhost port 80}}
dict with cfg server { incr port }
puts $cfg
proc p {} { set d {a 1 b 2}; dict with d { unset a }; return $d }
puts [p]
set e {}
dict with e { set newvar 1 }
puts "<$e> $newvar"
catch {dict with nosuch {}} m; puts $m
puts [dict with d {expr {$x * 2}}]
