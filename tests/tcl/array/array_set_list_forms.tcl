array set a [list "key one" 1 key2 "value two"]
puts $a(key one)
puts $a(key2)
array set b {}
puts [array exists b]
array set c [list]
puts [array size c]
set l {x 1 x 2}
array set d $l
puts $d(x)
