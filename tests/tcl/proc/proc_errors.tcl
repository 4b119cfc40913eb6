catch {proc} m; puts $m
catch {proc a} m; puts $m
catch {proc a b} m; puts $m
catch {proc a {b} c d} m; puts $m
catch {proc a {{}} {}} m; puts $m
catch {proc a {{b 1 2}} {}} m; puts $m
catch {proc a {x(1)} {}} m; puts $m
catch {proc a {"b c} {}} m; puts $m
catch {proc a {a::b} {}} m; puts $m
proc ok {a a} {return $a}
puts [ok 1 2]
