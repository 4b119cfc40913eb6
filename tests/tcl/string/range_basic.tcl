set s "hello world"
puts [string range $s 0 4]
puts [string range $s 6 end]
puts [string range $s end-4 end]
puts "<[string range $s 5 2]>"
puts [string range $s -5 2]
puts [string range $s 3 100]
puts "<[string range "" 0 end]>"
puts [string range $s 0 0]
puts [string range "日本語テキスト" 2 4]
puts [string range $s end end]
catch {string range $s 0} m; puts $m
catch {string range $s a end} m; puts $m
