proc a {} "return double-quoted"
puts [a]
set body {return [list $x $y]}
proc b {x y} $body
puts [b 1 2]
proc c [list x [list y def]] {return "$x $y"}
puts [c 1]
proc d {} {
    # comment line
    set r 1 ;# trailing comment
    # another comment with { brace }
    return $r
}
puts [d]
proc e {} {}
puts "<[e]>"
proc f x {return $x}
puts [f single-arg-unbraced]
