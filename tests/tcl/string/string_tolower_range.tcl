set s ABCDEFG
puts [string tolower $s 0 end]
puts [string tolower $s 3]
puts [string tolower $s end]
puts [string tolower $s 10]
puts [string tolower $s -5 1]
puts [string toupper abc 2 0]
