set a(x,1) 1
set a(x,2) 2
set a(y,1) 3
puts [lsort [array names a x,*]]
foreach key [lsort [array names a]] {
    lassign [split $key ,] row col
    puts "$row/$col=$a($key)"
}
