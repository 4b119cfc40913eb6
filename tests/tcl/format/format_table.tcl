set rows {{apple 1.5 3} {banana 0.25 12} {cherry 10 100}}
puts [format "%-10s %8s %5s" Name Price Qty]
foreach r $rows {
    lassign $r name price qty
    puts [format "%-10s %8.2f %5d" $name $price $qty]
}
puts [format "%s" [string repeat = 25]]
set total 0
foreach r $rows { set total [expr {$total + [lindex $r 1] * [lindex $r 2]}] }
puts [format "Total: %.2f" $total]
puts [format "%3d%%" 50]
