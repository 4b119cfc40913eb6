proc fail {x} {
    puts "in fail $x"
    error "failed with $x"
}
puts start
fail 42
puts never
