puts [dict merge {a 1 b 2} {b 3 c 4}]
puts [dict merge {a 1} {} {a 2} {d 5}]
puts [dict merge]
puts [dict merge {x 1}]
puts [dict replace {a 1 b 2} b 20 c 30]
puts [dict replace {a 1}]
puts [dict remove {a 1 b 2 c 3} b]
puts [dict remove {a 1 b 2 c 3} a c zz]
puts [dict remove {a 1}]
catch {dict merge {a}} m; puts $m
catch {dict replace {a 1} b} m; puts $m
