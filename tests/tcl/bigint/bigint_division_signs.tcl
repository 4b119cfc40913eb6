set big [expr {10**20}]
foreach {x y} [list $big 7 -$big 7 $big -7 -$big -7 7 $big -7 $big] {
    puts "$x / $y = [expr {$x / $y}]   $x % $y = [expr {$x % $y}]"
}
catch {expr {$big / 0}} m; puts $m
catch {expr {$big % 0}} m; puts $m
