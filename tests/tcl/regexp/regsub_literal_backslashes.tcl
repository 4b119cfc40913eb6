set path {C:\dir\file}
puts [regsub -all {\\} $path /]
puts [string map {\\ /} $path]
puts [regsub -all {/} "a/b/c" {\\}]
puts [regsub -all {\.} "1.2.3" {\\.}]
puts [regsub -all {([.*+?])} "a.b*c" {\\\1}]
