set s "a,b,,c,"
set parts [split $s ,]
puts [llength $parts]
puts [join $parts ,]
puts [expr {[join $parts ,] eq $s}]
set words [split "The quick  brown fox" " "]
puts $words
puts [join $words _]
puts [join [split "a.b.c" .] /]
puts [join [lreverse [split "abc" ""]] ""]
