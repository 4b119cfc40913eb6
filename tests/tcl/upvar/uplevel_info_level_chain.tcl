proc show {} {
    set r {}
    for {set l [info level]} {$l > 0} {incr l -1} { lappend r [lindex [info level $l] 0] }
    return $r
}
proc a {} { b }
proc b {} { c }
proc c {} { show }
puts [a]
proc viaup {} { uplevel 1 show }
proc caller {} { viaup }
puts [caller]
