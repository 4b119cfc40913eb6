puts [lreverse {a b c}]
puts [lreverse {}]
puts [lreverse {x}]
puts [lreverse {{a b} {c d} e}]
puts [lreverse [lreverse {1 2 3 4}]]
catch {lreverse} m; puts $m
catch {lreverse a b} m; puts $m
