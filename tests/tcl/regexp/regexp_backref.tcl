puts [regexp {(\w)\1} hello m c]
puts "$m $c"
puts [regexp {(\w+) \1} "the the cat" m w]
puts "$m / $w"
puts [regexp {^(a+)b\1$} aabaa]
puts [regexp {^(a+)b\1$} aaba]
puts [regexp -all {(.)\1} "aabbcd"]
