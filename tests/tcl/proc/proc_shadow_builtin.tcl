rename list origlist
proc list {args} { return "mylist([llength $args])" }
puts [list a b c]
rename list {}
rename origlist list
puts [list a b c]
proc if2 {c b} { uplevel 1 [origif $c $b] }
catch {if2 1 {puts x}} m; puts $m
