set s "hello big_world foo"
puts [string wordstart $s 8]
puts [string wordend $s 8]
puts [string wordstart $s 5]
puts [string wordend $s 5]
puts [string wordend $s 0]
puts [string wordstart $s end]
