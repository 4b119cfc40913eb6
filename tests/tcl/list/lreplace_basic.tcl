set l {a b c d e}
puts [lreplace $l 1 1 X]
puts [lreplace $l 1 2]
puts [lreplace $l 0 0]
puts [lreplace $l end end Z]
puts [lreplace $l 1 3 X Y]
puts [lreplace $l 2 1 INS]
puts [lreplace $l end-1 end]
puts [lreplace $l 0 end]
puts [lreplace $l -1 -1 NEG]
puts [lreplace $l 10 10 FAR]
puts [lreplace {} 0 0 a]
puts [lreplace $l 1 1 {x y}]
catch {lreplace $l} m; puts $m
catch {lreplace $l 1} m; puts $m
catch {lreplace $l a b} m; puts $m
