puts [subst {a [break] b}]
puts [subst {a [continue] b}]
puts [subst {x [return "RET"] y}]
puts [subst {1 [set x 2] [continue]3 $x}]
catch {subst {a [error "oops"] b}} m; puts $m
