proc f {x} {
    set out {}
    switch $x {
        1 -
        2 -
        3 {set out low}
        4 -
        5 {set out mid}
        default {set out high}
    }
    return $out
}
foreach v {1 2 3 4 5 6} {puts "$v: [f $v]"}
catch {switch a {a -}} msg; puts $msg
catch {switch a {a - b -}} msg; puts $msg
puts [switch b {a - b - c {set r abc}}]
