puts [regexp {***=a.b} a.b]
puts [regexp {***=a.b} axb]
puts [regexp {(?i)abc} ABC]
puts [regexp {(?x) a b c # comment} abc]
puts [regexp -expanded { a \  b } "a b"]
puts [regexp {a(?=b)} ab m]; puts $m
puts [regexp {a(?!b)} ac m]; puts $m
puts [regexp {[a-c]{3}} xabcx m]; puts $m
puts [regexp {\x41} A]
puts [regexp {\u00e9} é]
puts [regexp {\t} "a\tb"]
puts [regexp {[\d]} 5]
puts [regexp -about {(a)(b)}]
