set "a(b c)" 1
set a(x) 2
set n x
puts [subst {$a($n)}]
puts [subst {${a(b c)}}]
set {odd name} 3
puts [subst {${odd name}}]
puts [subst {$}]
puts [subst {$ x}]
puts [subst {a$}]
puts [subst {$::n}]
