set l {a b c}
catch {lset l 1 2 x} m; puts $m
catch {lset l end+2 x} m; puts $m
catch {lset l {1 x} y} m; puts $m
puts $l
set m {{a b} c}
lset m 1 end+1 d
puts $m
set bad "a \{b"
catch {lset bad 0 x} m; puts $m
array set arr {}
catch {lset arr 0 x} m; puts $m
