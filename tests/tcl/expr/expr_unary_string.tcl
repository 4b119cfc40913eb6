puts [expr {-"5"}]
puts [expr {+"5.5"}]
catch {expr {-"abc"}} m; puts $m
catch {expr {+""}} m; puts $m
puts [expr {- 0}]
puts [expr {-0.0 == 0.0}]
puts [expr {--1}]
