set a(0) zero
set a(00) double-zero
set a(-0) neg-zero
set a(0.0) float-zero
puts [lsort [array names a]]
puts "$a(0) $a(00) $a(-0) $a(0.0)"
set i 0
puts $a($i)
set "a(x y)" space
puts $a(x\ y)
set idx "x y"
puts $a($idx)
