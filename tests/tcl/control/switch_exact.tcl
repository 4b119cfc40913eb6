proc sw {x} {
    switch $x {
        a {return "got a"}
        b - c {return "b or c"}
        "d e" {return "d e"}
        default {return "default($x)"}
    }
}
foreach v {a b c {d e} z "" default} {puts [sw $v]}
puts [switch -exact -- -x {-x {set r dash} default {set r no}}]
puts [switch foo foo {set r 1} bar {set r 2}]
puts "<[switch nomatch foo {set r 1}]>"
puts [switch -- default {default {set r literal-default-last}}]
puts [switch x {default {set r d} x {set r x}}]
