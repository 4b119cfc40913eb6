set text "the quick brown fox jumps over the lazy dog the end"
set counts {}
foreach w $text { dict incr counts $w }
puts $counts
dict for {w c} $counts { if {$c > 1} { puts "$w: $c" } }
set byletter {}
foreach w $text { dict lappend byletter [string index $w 0] $w }
puts [dict get $byletter t]
puts [lsort [dict keys $byletter]]
