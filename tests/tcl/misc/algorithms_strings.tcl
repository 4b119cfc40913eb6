proc palindrome {s} { set c [string tolower [regsub -all {[^a-z]} [string tolower $s] ""]]; expr {$c eq [string reverse $c]} }
puts [palindrome "A man, a plan, a canal: Panama"]
puts [palindrome "hello"]
proc caesar {s n} {
    set out ""
    foreach c [split $s ""] {
        if {[string is lower $c]} {
            scan $c %c code
            append out [format %c [expr {($code - 97 + $n) % 26 + 97}]]
        } else { append out $c }
    }
    return $out
}
puts [caesar "hello world" 3]
puts [caesar [caesar "round trip" 13] 13]
proc wordfreq {text} {
    set f {}
    foreach w [regexp -all -inline {\w+} [string tolower $text]] { dict incr f $w }
    return [lsort -stride 2 -index 1 -integer -decreasing $f]
}
puts [wordfreq "the cat and the hat and the bat"]
