rename string str
puts [str length abc]
rename str string
proc myincr {varName {by 1}} { upvar 1 $varName v; set v [expr {$v + $by}] }
set n 1
myincr n; myincr n 5
puts $n
rename myincr {}
puts [llength [info procs myincr]]
