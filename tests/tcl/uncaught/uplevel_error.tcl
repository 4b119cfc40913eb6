proc p {} {
    uplevel #0 {
        set x 1
        nosuchcmd $x
    }
}
p
