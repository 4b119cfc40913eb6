set s {1 3 5 7 9 11}
puts [lsearch -sorted -integer $s 7]
puts [lsearch -sorted -integer $s 8]
puts [lsearch -sorted -integer -bisect $s 8]
puts [lsearch -sorted -integer -bisect $s 0]
puts [lsearch -sorted {a c e g} e]
puts [lsearch -sorted -decreasing -integer {9 7 5 3} 5]
set recs {{joe 30} {ann 25} {bob 40}}
puts [lsearch -index 0 $recs ann]
puts [lsearch -index 1 -integer $recs 40]
puts [lsearch -index 1 -inline $recs 30]
puts [lsearch -index 0 -all -inline -glob $recs *o*]
puts [lsearch -subindices -index 1 -inline $recs 25]
puts [lsearch -index end $recs 25]
