puts hello
puts "two words"
puts -nonewline "no newline"
puts ""
puts stdout "explicit stdout"
puts -nonewline stdout "a"
puts -nonewline stdout "b\n"
puts stderr "to stderr"
puts -nonewline stderr "stderr no nl"
puts stderr ""
puts {}
puts [list a {b c}]
puts -- 
catch {puts} m; puts $m
catch {puts a b c d} m; puts $m
catch {puts nosuchchan hi} m; puts $m
catch {puts -bogus hi} m; puts $m
