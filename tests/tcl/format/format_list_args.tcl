set l {1 2 3}
puts [format "%s" $l]
puts [format "%d items" [llength $l]]
catch {format %d $l} m; puts $m
puts [format "%s|%s" [list a b] [list {c d}]]
