proc r {x} {
    switch -regexp -- $x {
        {^[0-9]+$} {return int}
        {^[a-z]+$} {return word}
        {^\s*$} {return blank}
        default {return other}
    }
}
foreach v {123 abc {  } A1 {}} {puts "<$v> [r $v]"}
switch -regexp -matchvar m -- "key=value" {
    {(\w+)=(\w+)} {puts "matched: $m"}
}
switch -regexp -indexvar idx -- "xx42yy" {
    {[0-9]+} {puts "indices: $idx"}
}
puts [switch -regexp -nocase HELLO {^hel {set r yes} default {set r no}}]
