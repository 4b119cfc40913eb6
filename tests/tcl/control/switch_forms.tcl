# non-braced form of switch
set x two
switch $x one {puts 1} two {puts 2} three {puts 3}
switch -- $x one {puts 1} default {puts dflt}
set pat t*
switch -glob $x $pat {puts "var pattern"}
switch $x {
    # {puts comment-like}
    two {puts "two in braces"}
}
puts [switch -exact "" {"" {set r empty} default {set r no}}]
