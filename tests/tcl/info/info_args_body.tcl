proc p {a {b 2} args} { return [list $a $b $args] }
puts [info args p]
puts [info body p]
proc q {} {}
puts "<[info args q]>"
puts "<[info body q]>"
catch {info args nosuch} m; puts $m
catch {info body set} m; puts $m
catch {info args} m; puts $m
proc r {x} {
    # multi
    return $x
}
puts [info body r]
