set items [list "" " " "a b" "{" "}" "{}" "\\" "\"" "\$" "\[" "]" ";" "#x" "x#" "a\\" "\\n" "\n" "{a" "a}" "{a}b" "\{\}" "tab\there"]
set l [list {*}$items]
puts $l
puts [llength $l]
set ok 1
for {set i 0} {$i < [llength $items]} {incr i} {
    if {[lindex $l $i] ne [lindex $items $i]} {set ok 0; puts "mismatch at $i"}
}
puts "roundtrip $ok"
foreach e $items { puts "[list $e]" }
