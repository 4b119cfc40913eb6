proc classify {script} {
    try {
        uplevel 1 $script
    } trap {A} {} - trap {B} {} {
        return "A-or-B"
    } on error {} - on break {} {
        return "error-or-break"
    } on ok {r} {
        return "ok($r)"
    }
}
puts [classify {throw {A x} a}]
puts [classify {throw {B} b}]
puts [classify {error c}]
puts [classify {break}]
puts [classify {set v 3}]
