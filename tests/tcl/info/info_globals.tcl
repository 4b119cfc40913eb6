set myglobal_1 1
set myglobal_2 2
set myglobal_arr(x) 1
puts [lsort [info globals myglobal_*]]
proc p {} { lsort [info globals myglobal_*] }
puts [p]
puts [info globals nonexistent_*]
unset myglobal_1
puts [lsort [info globals myglobal_*]]
puts [expr {"tcl_version" in [info globals]}]
puts $tcl_version
