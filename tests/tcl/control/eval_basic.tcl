puts [eval {set a 5}]
puts [eval set b 6]
puts [eval list a {b c} d]
puts [eval [list list a {b c} d]]
set cmd {puts "from eval"}
eval $cmd
puts [eval "expr 1 + 2"]
puts <[eval {}]>
set args {1 2 3}
puts [eval list $args]
puts [eval [list list $args]]
puts [eval {list} {a b} {c d}]
catch {eval} m; puts $m
catch {eval {error inner}} m; puts $m
catch {eval {nosuchcmd arg}} m; puts $m
