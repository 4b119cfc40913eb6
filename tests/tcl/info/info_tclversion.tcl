puts [info tclversion]
puts [info patchlevel]
puts $tcl_version
puts [string match 8.6* $tcl_patchLevel]
