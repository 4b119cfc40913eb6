set l {a b c}
lset l 1 B
puts $l
lset l end E
puts $l
lset l end-2 A
puts $l
lset l 3 D
puts $l
lset l end+1 F
puts $l
set x {1 2}
puts [lset x {new whole}]
set m {{a b} {c d}}
lset m 1 0 C
puts $m
lset m {0 1} BB
puts $m
lset m 0 end+1 new
puts $m
catch {lset l 10 x} m; puts $m
catch {lset l -1 x} m; puts $m
catch {lset nosuch 0 x} m; puts $m
catch {lset l} m; puts $m
