puts [concat a b c]
puts [concat {a b} {c d}]
puts [concat " a " " b "]
puts "<[concat]>"
puts "<[concat {} {} {}]>"
puts [concat {a {b c}} d]
puts [concat "a\n" " b"]
puts [concat {{a}} {{b}}]
puts [llength [concat {a b} {{c d}}]]
puts [concat "  leading" "trailing  "]
puts [concat a "" b]
