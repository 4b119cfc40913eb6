catch {string} m; puts $m
catch {string foo bar} m; puts $m
catch {string index} m; puts $m
catch {string range a} m; puts $m
catch {string match} m; puts $m
catch {string map} m; puts $m
catch {string compare a} m; puts $m
catch {string first} m; puts $m
catch {string last} m; puts $m
catch {string repeat} m; puts $m
catch {string replace} m; puts $m
catch {string trimleft} m; puts $m
catch {string tolower} m; puts $m
catch {string totitle} m; puts $m
catch {string is integer} m; puts $m
catch {string cat}; puts "cat ok"
