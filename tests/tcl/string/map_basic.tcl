puts [string map {a 1 b 2} abcabc]
puts [string map {abc X ab Y} abcab]
puts [string map {ab Y abc X} abcab]
puts [string map -nocase {A x} aAbB]
puts [string map {} hello]
puts [string map {"" X} abc]
puts [string map {a {}} banana]
puts [string map {< &lt; > &gt; & &amp;} {<a & b>}]
puts [string map {aa b} aaaaa]
puts [string map {\n \\n \t \\t} "a\nb\tc"]
puts [string map [list é e] café]
catch {string map {a} abc} m; puts $m
catch {string map {a b}} m; puts $m
catch {string map "a \{" x} m; puts $m
