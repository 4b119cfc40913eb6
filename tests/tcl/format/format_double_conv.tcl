catch {format %d 3.0} m; puts $m
catch {format %d 3.7} m; puts $m
catch {format %x 255.0} m; puts $m
puts [format %d [expr {int(3.7)}]]
puts [format %s 3.0]
puts [format %f 0x10]
puts [format %e 0]
puts [format %g 0]
puts [format %f -0.0]
puts [format %g 1e100]
puts [format %f Inf]
puts [format %f -Inf]
puts [format %e Inf]
catch {format %g NaN} m; puts $m
puts [format %g [expr {Inf}]]
puts [format %d [expr {round(2.5)}]]
