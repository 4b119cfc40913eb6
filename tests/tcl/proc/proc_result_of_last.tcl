proc a {} { set x 1; set y 2 }
puts [a]
proc b {} { if 1 {set z 3} }
puts [b]
proc c {} { foreach x {1 2} {} }
puts "<[c]>"
proc d {} { catch {error foo} }
puts [d]
proc e {} { list a b }
puts [e]
proc f {} { expr {3 * 3} }
puts [f]
