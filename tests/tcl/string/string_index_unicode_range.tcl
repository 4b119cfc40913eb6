set s "aé中ÿb"
puts [string length $s]
for {set i 0} {$i < [string length $s]} {incr i} { puts "$i: [string index $s $i]" }
puts [string range $s 1 2]
