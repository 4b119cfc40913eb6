proc p {} {
    return -code error -errorcode {CUSTOM} "returned an error"
}
puts before
p
