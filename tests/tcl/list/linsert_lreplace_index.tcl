set l {0 1 2 3 4}
foreach i {0 1 end end-1 end-4 end+1 -1 5 2+1 end-3} {
    puts "$i: [linsert $l $i X]"
}
foreach {a b} {0 0 1 2 end end end-1 end 3 end+5 -3 0 2 1} {
    puts "$a $b: [lreplace $l $a $b Y]"
}
