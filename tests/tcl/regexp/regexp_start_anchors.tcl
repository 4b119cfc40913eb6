puts [regexp -start 3 {a} banana]
puts [regexp -start 6 {a} banana]
regexp -start 2 -indices {a} banana m
puts $m
puts [regexp -start 2 {^n} banana]
puts [regexp -line {^b$} "a\nb\nc"]
puts [regexp {^b$} "a\nb\nc"]
puts [regexp -lineanchor {^b$} "a\nb\nc"]
puts [regexp -linestop {a.c} "a\nc"]
puts [regexp {a.c} "a\nc"]
puts [regexp {\Abc} abc]
puts [regexp {ab\Z} ab]
puts [regexp -all -inline -start 1 {\w} abc]
