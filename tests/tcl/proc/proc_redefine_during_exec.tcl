proc p {} {
    proc p {} { return "new body" }
    return "old body still running"
}
puts [p]
puts [p]
proc q {} { rename q {}; return "deleted self, still returns" }
puts [q]
puts [llength [info procs q]]
