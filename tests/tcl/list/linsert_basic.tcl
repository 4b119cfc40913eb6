set l {a b c}
puts [linsert $l 0 X]
puts [linsert $l 1 X Y]
puts [linsert $l end X]
puts [linsert $l end-1 X]
puts [linsert $l 100 X]
puts [linsert $l -5 X]
puts [linsert $l 2]
puts [linsert {} 0 a]
puts [linsert $l end {x y}]
puts [linsert $l end+1 Z]
puts $l
catch {linsert $l} m; puts $m
catch {linsert $l x a} m; puts $m
