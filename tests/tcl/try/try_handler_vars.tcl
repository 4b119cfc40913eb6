try {
    throw {X Y} "the msg"
} trap {X} {msg opts} {
    puts $msg
    puts [dict get $opts -errorcode]
    puts [dict get $opts -code]
}
try { set v value } on ok {res} { puts "res=$res" }
try { set v value } on ok {} { puts "no vars" }
try { error e } on error {only_msg} { puts "only=$only_msg" }
puts [info exists res]
