proc f {x} {
    try {
        expr {10 / $x}
    } on ok {r} {
        return "ok:$r"
    } trap {ARITH DIVZERO} {m} {
        return "div0:$m"
    } on error {m} {
        return "err:$m"
    }
}
puts [f 2]
puts [f 0]
puts [f abc]
