array set cfg {debug 0 level 1}
proc enable {} { global cfg; set cfg(debug) 1 }
enable
puts $cfg(debug)
proc viaupvar {} { upvar #0 cfg c; incr c(level) }
viaupvar
puts $cfg(level)
proc names {} { upvar 1 cfg c; lsort [array names c] }
puts [names]
proc elemref {} { upvar 1 cfg(level) lvl; set lvl 99 }
elemref
puts $cfg(level)
