regexp {a+?} aaa m; puts $m
regexp {a*?b} aaab m; puts $m
regexp {<.+>} "<a><b>" m; puts $m
regexp {<.+?>} "<a><b>" m; puts $m
regexp {\d{2}} 12345 m; puts $m
regexp {\d{2,}} 12345 m; puts $m
regexp {\d{2,3}?} 12345 m; puts $m
regexp {(a|ab)(c|bcd)(d*)} abcd all x y z; puts "$all $x $y $z"
puts [regexp {^(?:a|b)*$} abba]
