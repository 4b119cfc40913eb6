set d {user {name joe prefs {color red}}}
dict update d user u {
    dict update u prefs p {
        dict set p color blue
        dict set p size large
    }
}
puts $d
dict with d user prefs { set color green }
puts [dict get $d user prefs]
