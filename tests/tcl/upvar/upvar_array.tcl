proc fill {arrName} { upvar 1 $arrName a; set a(x) 1; set a(y) 2 }
fill data
puts [lsort [array names data]]
puts "$data(x) $data(y)"
proc elem {} { upvar 1 data(x) e; incr e 100 }
elem
puts $data(x)
proc arrsize {n} { upvar $n arr; array size arr }
puts [arrsize data]
proc create_elem {} { upvar 1 newarr(k) e; set e created }
create_elem
puts $newarr(k)
