set d {foo 1 bar 2 foobar 3 baz 4}
puts [dict keys $d foo*]
puts [dict keys $d *a*]
puts [dict keys $d ba?]
puts [dict values $d {[24]}]
puts "<[dict keys $d zz*]>"
