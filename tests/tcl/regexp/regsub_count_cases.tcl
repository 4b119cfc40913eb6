foreach {re s} {a banana an banana x banana . abc {^} abc {$} abc} {
    set n [regsub -all $re $s _ out]
    puts "[list $re $s] -> $n $out"
}
