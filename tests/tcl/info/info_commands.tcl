proc myproc_one {} {}
puts [info commands myproc_one]
puts [lsort [info commands myproc_*]]
puts [info commands set]
puts [info commands nosuchcommand]
puts [expr {[llength [info commands]] > 50}]
foreach c {set puts expr if while for foreach proc list lindex string dict array regexp regsub format scan lsort lsearch apply lmap try throw} {
    if {[info commands $c] ne $c} {puts "missing $c"}
}
puts checked
rename myproc_one {}
puts <[info commands myproc_one]>
