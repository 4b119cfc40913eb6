proc g {x} {
    switch -glob -- $x {
        a* {return "starts a"}
        *z {return "ends z"}
        ?? {return "two chars"}
        {[0-9]*} {return "digit"}
        default {return "other"}
    }
}
foreach v {apple buzz ok 7up x {} a} {puts "$v -> [g $v]"}
puts [switch -glob {a*b} {{a\*b} {set r escaped} default {set r no}}]
puts [switch -glob ABC {abc {set r lower} default {set r case-sensitive}}]
puts [switch -nocase -glob ABC {a* {set r nocase-match}}]
