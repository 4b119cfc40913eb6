set s "abcabcabc"
foreach start {0 1 3 4 8 9 end end-2 -1 100} {
    puts "first b from $start: [string first b $s $start]"
    puts "last b to $start: [string last b $s $start]"
}
