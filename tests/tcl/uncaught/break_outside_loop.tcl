puts before
proc p {} { break }
p
