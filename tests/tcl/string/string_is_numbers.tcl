foreach v {0 -0 +0 00 0b101 0o17 0x 0xg 1_000 1e 1e+ .e1 -.5 +.5e-3 Inf -inf nan 0d10 " 1" "1\n" 1.0e0 0x7fffffffffffffff} {
    puts [format "%-22s int=%d wide=%d dbl=%d bool=%d" "<$v>" [string is integer $v] [string is wideinteger $v] [string is double $v] [string is boolean $v]]
}
