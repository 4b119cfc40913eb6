foreach s {1 1. .5 -2.5 1e10 1E-3 3.0x 0x10 nan -inf} {
    set r [scan $s %f v]
    if {$r == 1} {puts "$s -> $v"} else {puts "$s -> no match ($r)"}
}
