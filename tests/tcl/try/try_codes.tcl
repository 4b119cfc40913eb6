try { return -level 0 -code 7 seven } on 7 {v o} { puts "code7: $v [dict get $o -code]" }
try { return -level 0 -code error E } on 1 {v} { puts "numeric 1: $v" }
try { return -level 0 -code 2 R } on return {v} { puts "on return: $v" }
catch {try { return -level 0 -code 7 x } on error {} {puts no}} m o
puts "unhandled: $m [dict get $o -code]"
puts [catch {try {break}}]
puts [catch {try {continue} on break {} {puts no}}]
proc p {} { try { return -code 7 x } on 7 {} { puts "not reached: return level 1 gives code 2" } on return {v o} { puts "on return [dict get $o -code] $v" } }
p
