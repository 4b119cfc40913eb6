set cmd [list puts "hello world"]
eval $cmd
set cmd [list set v "a b"]
eval $cmd
puts $v
set args [list 1 2 3]
puts [eval [list expr [join $args +]]]
puts [eval expr [join $args +]]
set script {set r 10; incr r}
puts [eval $script]
puts [uplevel #0 $script]
