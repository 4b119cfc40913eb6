foreach v {1 0 true false yes no on off TRUE FaLsE 0x10 0.0 2.5 -1 " 1 " 00} {
    if {[catch {if $v {set r T} else {set r F}} m]} {puts "$v: error: $m"} else {puts "<$v>: $r"}
}
catch {if {"maybe"} {}} m; puts $m
catch {if NaN {}} m; puts $m
