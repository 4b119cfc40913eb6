puts [regexp {é+} "caféé" m]; puts $m
puts [regexp -all -inline {\w+} "naïve café 中文"]
puts [regexp -nocase {É} "é"]
puts [regsub -all {[à-ü]} "àbcü" _]
puts [string length [regsub -all {.} "日本語" x]]
regexp -indices {語} "日本語" m; puts $m
