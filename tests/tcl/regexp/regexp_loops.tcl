set text "x=1, y=22, z=333"
foreach {all k v} [regexp -all -inline {(\w)=(\d+)} $text] { puts "$k -> $v" }
set start 0
while {[regexp -start $start -indices {\d+} $text m]} {
    puts "match at $m: [string range $text {*}$m]"
    set start [expr {[lindex $m 1] + 1}]
}
puts [regexp -all {\d} $text]
