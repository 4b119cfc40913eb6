puts [string toupper "hello World"]
puts [string tolower "HELLO World"]
puts [string totitle "hello world"]
puts [string totitle "hELLO"]
puts [string toupper "straße"]
puts [string tolower "ÀÉÎ"]
puts [string toupper abcdef 2 3]
puts [string toupper abcdef end-1 end]
puts [string tolower ABCDEF 0 0]
puts [string totitle "abc def" 4]
puts [string totitle "abc def" 4 end]
puts "<[string toupper ""]>"
puts [string toupper 123abc]
catch {string toupper} m; puts $m
catch {string toupper a b c d} m; puts $m
