foreach v {123 -5 +7 0x1f 1.5 abc "" " 12 " 1e3 08 9223372036854775808} {
    puts "<$v> int=[string is integer $v] entier=[string is entier $v] double=[string is double $v] alpha=[string is alpha $v] alnum=[string is alnum $v] digit=[string is digit $v]"
}
