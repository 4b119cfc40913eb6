set lines {"alice 30 1.5" "bob 25 2.25" "carol x 3"}
foreach line $lines {
    set n [scan $line "%s %d %f" name age score]
    if {$n == 3} {
        puts [format "%s:%d:%.2f" $name $age $score]
    } else {
        puts "parsed only $n fields of <$line>"
    }
}
