foreach x {1 2 3} {
    puts "x=$x"
    if {$x == 2} {
        error "stop at 2"
    }
}
