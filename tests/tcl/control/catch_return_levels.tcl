catch {return -level 1 x} m o; puts "$m code=[dict get $o -code] level=[dict get $o -level]"
catch {return -level 2 x} m o; puts "$m code=[dict get $o -code] level=[dict get $o -level]"
catch {return -level 0 x} m o; puts "$m code=[dict get $o -code] level=[dict get $o -level]"
catch {return -code break -level 0} m o; puts "code=[dict get $o -code] level=[dict get $o -level]"
catch {return -code error -level 2 err} m o; puts "$m code=[dict get $o -code] level=[dict get $o -level]"
proc p {} { catch {return -level 2 inner} m o; return "p saw code [dict get $o -code] level [dict get $o -level]" }
puts [p]
proc q {} { return -options {-code error -errorcode {Q X}} qerr }
catch q m o; puts "$m [dict get $o -code] [dict get $o -errorcode] [dict get $o -level]"
catch {return -options {-code 3}} m o; puts "code=[dict get $o -code] level=[dict get $o -level]"
catch {return -options {a}} m; puts $m
