proc a {} { b }
proc b {} {
    c 1 2
}
proc c {x y} {
    expr {$x / ($y - 2)}
}
a
