set l {a b {c d}}
puts [llength [list {*}$l]]
puts [list {*}$l]
puts [list x {*}$l y]
set cmd {string toupper}
puts [{*}$cmd hello]
puts [{*}{string length} hello]
set empty {}
puts [list {*}$empty]
puts <[list {*}$empty {*}$empty]>
puts [concat {*}{{a b} {c d}}]
catch {list {*}"a \{b"} m; puts $m
puts [list {*}[list 1 2] {*}3]
puts [list {*}]
puts [list {*}x]
