puts [string len abc]
puts [string tou abc]
catch {string t abc} m; puts $m
catch {string to abc} m; puts $m
puts [string eq a a]
puts [string ind abc 1]
