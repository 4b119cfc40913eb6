puts [lreplace {a b c} 1 0]
puts [lreplace {a b c} 1 0 X]
puts [lreplace {a b c} end+1 end+1 X]
puts [lreplace {a b c} 3 3 X]
puts [lreplace {} end end X]
catch {lreplace {a b c} 0 x} m; puts $m
set bad "{a"
catch {lreplace $bad 0 0} m; puts $m
