regexp {(a|ab)(c|bcd)} abcd all x y
puts "$all|$x|$y"
regexp {(ab|a)(bcd|c)} abcd all x y
puts "$all|$x|$y"
regexp {a*(a*)} aaa all g
puts "<$all><$g>"
regexp {(a*)(a*)} aaa all g1 g2
puts "<$g1><$g2>"
regexp {(.*)-(.*)} "a-b-c" all p q
puts "$p | $q"
regexp {(.*?)-(.*)} "a-b-c" all p q
puts "$p | $q"
