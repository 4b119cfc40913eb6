puts [string repeat ab 3]
puts "<[string repeat ab 0]>"
puts "<[string repeat ab -2]>"
puts "<[string repeat "" 100]>"
puts [string repeat - 20]
puts [string reverse abc]
puts "<[string reverse ""]>"
puts [string reverse "héllo"]
puts [string reverse "a b c"]
puts [string cat]
puts [string cat a b c]
puts [string cat a "" {b c} 1]
puts [string cat "x"]
catch {string repeat a} m; puts $m
catch {string repeat a x} m; puts $m
catch {string reverse} m; puts $m
