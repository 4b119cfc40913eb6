set t "line one\nline two\nthird line"
puts [regexp -all -inline -line {^line \w+} $t]
puts [regexp -all -inline {line} $t]
puts [regexp -all -line {line$} $t]
puts [regsub -all -line {^(\w+)} $t {[\1]}]
puts [llength [regexp -all -inline {\n} $t]]
