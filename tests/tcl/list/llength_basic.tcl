puts [llength {}]
puts [llength {a}]
puts [llength {a b c}]
puts [llength "  a   b  "]
puts [llength {{a b} {c d}}]
puts [llength {a {b {c d}} e}]
puts [llength "a\nb\tc"]
puts [llength {""}]
puts [llength {"a b" c}]
puts [llength {{} {} {}}]
puts [llength [list "" ""]]
puts [llength "\{a b\}"]
catch {llength "a {b"} m; puts $m
catch {llength {"a} b}} m; puts $m
catch {llength {{a}b}} m; puts $m
catch {llength} m; puts $m
catch {llength a b} m; puts $m
