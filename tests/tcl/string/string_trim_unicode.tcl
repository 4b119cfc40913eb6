puts "<[string trim "\u00a0 x \u00a0"]>"
puts "<[string trim "ééxéé" é]>"
puts "<[string trimleft "\u3000abc"]>"
puts [string length [string trim "\u2003a"]]
