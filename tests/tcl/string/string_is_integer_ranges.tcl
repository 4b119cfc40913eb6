foreach v {2147483647 2147483648 -2147483648 -2147483649 9223372036854775807 9223372036854775808 18446744073709551615 0xffffffff 0x7fffffffffffffff} {
    puts "$v int=[string is integer $v] wide=[string is wideinteger $v] entier=[string is entier $v]"
}
