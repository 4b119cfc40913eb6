puts [string map -nocase {ab X} "AB ab Ab aB"]
puts [string map -nocase {a 1 A 2} "aA"]
puts [string map {a 1 A 2} "aA"]
puts [string map [list "\n" "<NL>" "\\" "<BS>"] "x\ny\\z"]
