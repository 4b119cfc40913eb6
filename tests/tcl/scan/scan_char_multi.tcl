set codes [scan "Hi!" %c%c%c]
puts $codes
puts [join [lmap c $codes {format %c $c}] ""]
puts [scan "AB" "%c%s"]
