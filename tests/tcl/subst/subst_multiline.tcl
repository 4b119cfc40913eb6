set items {apple banana}
set out [subst {
Items:
[join [lmap i $items {string cat "  - " $i}] \n]
Count: [llength $items]
}]
puts $out
