puts [string replace abcdef 1 2]
puts [string replace abcdef 1 2 XY]
puts [string replace abcdef 0 end NEW]
puts [string replace abcdef 3 1 X]
puts [string replace abcdef -5 0 X]
puts [string replace abcdef end end Z]
puts [string replace abcdef 4 100 T]
puts [string replace abcdef 10 12 X]
puts [string replace "" 0 0 X]
puts [string replace abcdef end-1 end]
catch {string replace abc 1} m; puts $m
catch {string replace abc x 1} m; puts $m
