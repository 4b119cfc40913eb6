puts [lsort -real {3 1.5 -2.25 1e2 0x10}]
puts [lsort -real -decreasing {1 10 2 0.5}]
puts [lsort -integer {5 -3 0 -0 12}]
puts [lsort -real -unique {1 1.0 2 2.0 1e0}]
