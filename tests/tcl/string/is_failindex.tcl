puts [string is integer -failindex i 123x5]
puts $i
puts [string is alpha -failindex j abc1]
puts $j
puts [string is digit -failindex k 12345]
puts [info exists k]
puts [string is double -failindex d 1.5.3]
puts $d
puts [string is space -failindex s "  x "]
puts $s
puts [string is integer -strict -failindex e ""]
puts $e
puts [string is list -failindex l "a {b"]
puts $l
