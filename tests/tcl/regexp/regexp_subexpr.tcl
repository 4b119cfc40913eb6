regexp {(\w+)@(\w+)\.com} "mail: joe@example.com" all user domain
puts "$all | $user | $domain"
regexp {(a)(b)?(c)} ac all x y z
puts "<$all> <$x> <$y> <$z>"
regexp {(\d+)-(\d+)} "10-20" -> from to
puts "$from $to"
puts [regexp {((a)(b))c} abc all outer a b]
puts "$all $outer $a $b"
puts [regexp {(?:ab)+(c)} ababc all c]
puts "$all $c"
regexp {(x)|(y)} y all p q
puts "<$p> <$q>"
