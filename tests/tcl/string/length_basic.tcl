puts [string length ""]
puts [string length abc]
puts [string length "a b c"]
puts [string length "héllo"]
puts [string length "\u4e2d\u6587"]
puts [string length "\n\t"]
puts [string length 12345]
puts [string length [string repeat x 1000]]
puts [string length {\n}]
puts [string length "\x00a"]
catch {string length} m; puts $m
catch {string length a b} m; puts $m
