proc describe {name} {
    set out {}
    foreach a [info args $name] {
        if {[info default $name $a d]} { lappend out "$a=$d" } else { lappend out $a }
    }
    return $out
}
proc sample {x {y 10} {z {a b}} args} {}
puts [describe sample]
proc clone {old new} { proc $new [info args $old] [info body $old] }
proc orig {a b} { expr {$a - $b} }
clone orig copy
puts [copy 10 3]
puts [info body copy]
