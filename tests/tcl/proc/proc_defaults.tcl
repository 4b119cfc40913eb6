proc greet {name {greeting Hello}} {return "$greeting, $name!"}
puts [greet World]
puts [greet World Hi]
proc d3 {{a 1} {b 2} {c 3}} {return "$a $b $c"}
puts [d3]
puts [d3 x]
puts [d3 x y]
puts [d3 x y z]
proc mixed {a {b B} args} {return "a=$a b=$b args=$args"}
puts [mixed 1]
puts [mixed 1 2]
puts [mixed 1 2 3 4]
proc emptydef {{x {}}} {return "<$x>"}
puts [emptydef]
proc listdef {{l {1 2 3}}} {return [llength $l]}
puts [listdef]
catch {d3 1 2 3 4} m; puts $m
catch {greet} m; puts $m
