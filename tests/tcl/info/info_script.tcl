puts [info script]
puts [file tail [info script]]
proc p {} { info script }
puts [p]
