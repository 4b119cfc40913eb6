proc viaCatch {script} {
    set code [catch {uplevel 1 $script} res opts]
    return "code=$code res=$res"
}
proc viaTry {script} {
    try { uplevel 1 $script } on ok r { return "ok $r" } on error r { return "error $r" } on break {} { return break } on continue {} { return continue } on return r { return "return $r" }
}
foreach s {{set x 1} {error e} {break} {continue} {return r} {expr {1/0}}} {
    puts "[viaCatch $s] | [viaTry $s]"
}
