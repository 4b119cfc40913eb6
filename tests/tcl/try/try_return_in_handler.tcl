proc p {} {
    try { error oops } on error {m} { return "handled $m" } finally { puts "cleanup" }
    return unreachable
}
puts [p]
proc q {} {
    try { return body } finally { return finally-wins }
}
puts [q]
proc r {} {
    foreach x {1 2 3} {
        try { if {$x == 2} { break } } finally { puts "finally $x" }
    }
    return done
}
puts [r]
