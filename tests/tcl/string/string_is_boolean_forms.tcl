foreach v {1 0 true false yes no on off t f y n tr fa TRUE True oN OFF 2 -1 o "" " yes"} {
    puts "<$v> bool=[string is boolean $v] true=[string is true $v] false=[string is false $v]"
}
