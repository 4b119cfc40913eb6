proc classify {c} {
    switch -regexp -- $c {
        {^[aeiou]$} { set t vowel }
        {^[a-z]$} { set t consonant }
        {^[0-9]$} { set t digit }
        default { set t other }
    }
    return $t
}
set res {}
foreach c [split "ab1Z e" ""] { lappend res "$c:[classify $c]" }
puts $res
set counts [dict create]
foreach w {apple banana cherry avocado blueberry kiwi} {
    switch -glob $w {
        a* {dict incr counts a}
        b* {dict incr counts b}
        default {dict incr counts other}
    }
}
puts $counts
