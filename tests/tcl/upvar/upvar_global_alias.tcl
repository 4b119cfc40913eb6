set counter 0
proc bump {} { upvar #0 counter c; incr c }
bump; bump; bump
puts $counter
upvar #0 counter alias_at_top
puts $alias_at_top
upvar 0 counter c2
incr c2
puts $counter
proc link {} { upvar #0 linked l; set l fromproc }
link
puts $linked
proc un {} { upvar #0 linked l; unset l }
un
puts [info exists linked]
