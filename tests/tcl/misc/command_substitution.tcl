puts [set a 1][set b 2]
puts "[string toupper abc]-[string tolower DEF]"
puts [list [list a b] [list c]]
puts [expr [string length abcd] * 2]
set x [ set y 5 ]
puts $x
puts [
    string length abc
]
puts [string length [string repeat [string index abc 1] 3]]
puts "[]"
puts "a[]b"
puts [;set z 3]
