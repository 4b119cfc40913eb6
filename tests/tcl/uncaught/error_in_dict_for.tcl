puts start
dict for {k v} {a 1 b two c 3} {
    puts "$k=[expr {$v * 2}]"
}
