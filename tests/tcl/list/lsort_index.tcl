set recs {{joe 30 m} {ann 25 f} {bob 40 m} {cat 25 f}}
puts [lsort -index 0 $recs]
puts [lsort -index 1 -integer $recs]
puts [lsort -index 1 -integer -decreasing $recs]
puts [lsort -index end $recs]
set nested {{a {3 x}} {b {1 y}} {c {2 z}}}
puts [lsort -index {1 0} -integer $nested]
catch {lsort -index 5 $recs} m; puts $m
catch {lsort -index 1 {{a} {b c}}} m; puts $m
