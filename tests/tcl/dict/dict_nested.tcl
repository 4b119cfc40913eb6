set db {}
dict set db users alice age 30
dict set db users alice city Paris
dict set db users bob age 25
puts $db
puts [dict get $db users alice city]
puts [dict keys [dict get $db users]]
dict for {name info} [dict get $db users] { puts "$name: [dict get $info age]" }
dict update db users u { dict set u carol age 40 }
puts [dict keys [dict get $db users]]
puts [dict exists $db users bob age]
dict unset db users alice city
puts [dict get $db users alice]
