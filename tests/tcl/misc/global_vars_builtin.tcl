puts [info exists tcl_version]
puts [info exists argv]
puts [info exists argc]
puts $argc
puts "<$argv>"
puts [info exists argv0]
puts $argv0
puts [info exists errorInfo]
