puts stderr "warning: something"
puts stdout "normal output"
puts -nonewline stderr "partial "
error "fatal"
