regexp {(a)|(b)} b all g1 g2
puts "<$g1> <$g2>"
regexp -indices {(a)|(b)} b all g1 g2
puts "$g1 $g2"
puts [regexp -inline {(a)|(b)} b]
puts [regexp -all -inline {(a)|(b)} ab]
