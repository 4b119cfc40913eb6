proc va {args} {return "[llength $args]: $args"}
puts [va]
puts [va a]
puts [va a b {c d}]
proc first {a args} {return "$a | $args"}
puts [first 1]
puts [first 1 2 3]
catch {first} m; puts $m
proc notlast {args x} {return "args=$args x=$x"}
puts [notlast 1 2]
catch {notlast 1 2 3} m; puts $m
proc defmiddle {a {b 2} c} {return "$a $b $c"}
puts [defmiddle 1 2 3]
catch {defmiddle 1 2} m; puts $m
