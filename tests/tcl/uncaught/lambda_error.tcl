set l {{n} {
    if {$n > 2} { error "n too big: $n" }
    return $n
}}
foreach i {1 2 3} { puts [apply $l $i] }
