puts [regsub -start 3 -all {a} banana X]
puts [regsub -start 1 {a} banana X]
puts [regsub -all -line {^} "a\nb\nc" "> "]
puts [regsub -all {^} "a\nb\nc" "> "]
puts [regsub -expanded { b } abc X]
puts [regsub -all {[aeiou]} "education" {}]
catch {regsub} m; puts $m
catch {regsub a b} m; puts $m
catch {regsub -bogus a b c} m; puts $m
catch {regsub {(} a b} m; puts $m
