set a 5
set name World
puts [subst {Hello $name}]
puts [subst {a=$a, doubled=[expr {$a * 2}]}]
puts [subst {tab:\t|}]
puts [subst "literal \$a"]
puts [subst {$a$a}]
puts [subst {}]
set arr(k) v
puts [subst {$arr(k)}]
set k k
puts [subst {$arr($k)}]
puts [subst {${name}!}]
puts [subst {[list a b] [string length abc]}]
