set a b
set b c
puts [subst {[set $a]}]
puts [subst $$a]
puts [subst {[subst {$$a}]}]
set template {Name: $name, Age: [expr {$age + 1}]}
foreach {name age} {Ann 30 Bob 40} { puts [subst $template] }
