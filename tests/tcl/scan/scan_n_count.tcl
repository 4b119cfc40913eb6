puts [scan "hello world" "%s%n"]
puts [scan "12 34" "%d %d%n"]
puts [scan "abc" "%n"]
scan "hello" "%s%n" w n
puts "$w $n"
