set a 1
unset a
puts [info exists a]
catch {unset a} m; puts $m
unset -nocomplain a
puts ok
set x 1; set y 2; set z 3
unset x y
puts [info exists x][info exists y][info exists z]
set arr(1) a; set arr(2) b
unset arr(1)
puts [array names arr]
unset arr
puts [info exists arr]
catch {unset arr(9)} m; puts $m
set arr(1) 1
catch {unset arr(9)} m; puts $m
unset -nocomplain -- q r z
puts [info exists z]
catch {unset -nocomplain} m; puts "<$m>"
unset
puts "bare unset ok"
set -nocomplain 5
unset -- -nocomplain
puts [info exists -nocomplain]
