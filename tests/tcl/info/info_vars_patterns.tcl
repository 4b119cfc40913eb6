proc p {} {
    set alpha 1; set alpine 2; set beta 3; set a(1) 1
    list [lsort [info vars al*]] [lsort [info locals ?]] [lsort [info vars {*[ae]}]]
}
puts [p]
proc q {args} { info locals }
puts [q]
proc r {x args} { lsort [info locals] }
puts [r 1]
