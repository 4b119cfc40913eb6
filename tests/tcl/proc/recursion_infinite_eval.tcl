proc e {} { eval e }
catch e m
puts $m
proc u {} { uplevel 1 u }
catch u m
puts $m
set depth 0
proc d {} { global depth; incr depth; d }
catch d m
puts $m
puts [expr {$depth > 100 && $depth < 10000}]
