catch {exit a} m; puts $m
catch {exit 1 2} m; puts $m
puts "still here"
