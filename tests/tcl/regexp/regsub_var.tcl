set n [regsub -all {o} "foo boo" 0 result]
puts "$n $result"
set n [regsub {z} "abc" Z result2]
puts "$n $result2"
set n [regsub -all {(.)} abc {\1\1} r3]
puts "$n $r3"
set s "hello"
regsub -all {l} $s L s
puts $s
