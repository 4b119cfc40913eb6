proc setit {name val} { upvar 1 $name v; set v $val }
setit x 10
puts $x
proc incrit {name} { upvar $name v; incr v }
incrit x
puts $x
proc swap {an bn} { upvar 1 $an a $bn b; set t $a; set a $b; set b $t }
set p 1; set q 2
swap p q
puts "$p $q"
proc readit {name} { upvar $name v; return $v }
puts [readit x]
catch {readit nosuch} m; puts $m
proc exists {name} { upvar 1 $name v; info exists v }
puts "[exists x] [exists nosuch]"
