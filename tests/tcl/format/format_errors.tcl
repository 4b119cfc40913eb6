catch {format} m; puts $m
catch {format %d} m; puts $m
catch {format %d abc} m; puts $m
catch {format %d 1.5} m; puts $m
catch {format %f abc} m; puts $m
catch {format %z 1} m; puts $m
catch {format %c abc} m; puts $m
catch {format "%" 1} m; puts $m
catch {format %s} m; puts $m
catch {format "%d %d" 1} m; puts $m
puts [format "%d" 1 2 3]
puts [format "no specs" 1 2]
catch {format %ll 1} m; puts $m
catch {format %.f 1} m; puts $m
