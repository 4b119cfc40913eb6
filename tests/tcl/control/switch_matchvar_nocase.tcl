foreach s {"Key=Value" "NAME=x" "nomatch"} {
    switch -regexp -nocase -matchvar mv -- $s {
        {^key=(.*)$} { puts "key -> [lindex $mv 1]" }
        {^(name)=(.*)$} { puts "name($mv)" }
        default { puts "default <$mv>" }
    }
}
switch -exact -nocase ABC { abc { puts "exact nocase" } }
switch -glob -nocase -- FOO.TXT { *.txt { puts "glob nocase" } }
