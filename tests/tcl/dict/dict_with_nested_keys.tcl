set dd {a {b {c 1 d 2}}}
dict with dd a b { incr c; set e new }
puts $dd
puts "$c $d $e"
# a key named like the dict variable overwrites it during the body
set d {a {b {c 1 d 2}}}
catch {dict with d a b { incr c }} m; puts $m
puts $d
proc f {} {
    set conf {opts {verbose 0 level 3}}
    dict with conf opts { set verbose 1; incr level }
    return $conf
}
puts [f]
set x {k v}
dict with x {}
puts $k
