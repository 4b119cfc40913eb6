set a hello
puts [expr {[string length $a] * 2}]
puts [expr {$a eq "hello" ? "yes" : "no"}]
puts [expr {[string index $a 0] eq "h"}]
puts [expr {"$a world"}]
puts [expr {$a < "help"}]
puts [expr {"" eq {}}]
