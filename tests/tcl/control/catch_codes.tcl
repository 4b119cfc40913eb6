puts [catch {set x 1}]
puts [catch {error boom}]
puts [catch {return hi}]
puts [catch {break}]
puts [catch {continue}]
puts [catch {return -code 5 five} m]; puts $m
puts [catch {return -code error e2} m]; puts $m
puts [catch {return -code ok fine} m]; puts $m
puts [catch {return -code break} m]
puts [catch {return -code continue} m]
puts [catch {return -code return} m]
puts [catch {}]
catch {} m; puts "<$m>"
catch {catch} m; puts $m
catch {catch a b c d} m; puts $m
