puts [scan "10 20" "%d %d" a b]
puts "$a $b"
puts [scan "7 abc" "%d %d" x y]
puts "x=$x exists y: [info exists y]"
puts [scan "" "%d" z]
puts [info exists z]
puts [scan "abc" "%d" w]
puts [scan "3.5 name" "%f %s" f s]
puts "$f $s"
set n [scan "12:34:56" "%d:%d:%d" h m sec]
puts "$n $h $m $sec"
