set l {a b c d e}
puts [lrange $l 0 2]
puts [lrange $l 1 end]
puts [lrange $l end-1 end]
puts "<[lrange $l 3 1]>"
puts [lrange $l -5 1]
puts [lrange $l 2 100]
puts "<[lrange $l 5 end]>"
puts [lrange $l 0 end]
puts [lrange {{a b} {c d} e} 0 1]
puts [lrange "a  b   c" 0 end]
puts [lrange {a {b c} "d e"} 1 end]
puts "<[lrange {} 0 end]>"
puts [lrange $l end-2 end-1]
catch {lrange $l 0} m; puts $m
catch {lrange $l a b} m; puts $m
