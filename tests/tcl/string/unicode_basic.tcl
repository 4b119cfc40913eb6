set s "Grüße, 世界! ñ"
puts $s
puts [string length $s]
puts [string toupper $s]
puts [string index $s 2]
puts [string range $s 7 8]
puts [string reverse "世界"]
puts [string first 界 $s]
puts [string is alpha ü]
puts [lsort {ü u z a}]
puts [string map {ü ue ß ss} $s]
puts [split "a€b" ""]
puts [scan "€" %c]
puts [format %c 8364]
puts "\u00e9 \u4e2d \uFFFD"
puts [string length "\uFFFD"]
