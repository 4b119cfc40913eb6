proc p {} { q }
proc q {} { return fine }
puts [p]
rename q {}
catch p m
puts $m
puts $::errorInfo
