proc render {tmpl} {
    set local "L"
    return [uplevel 1 [list subst $tmpl]]
}
set global "G"
puts [render {global=$global}]
catch {render {local=$local}} m; puts $m
proc r2 {} { set local "L"; subst {local=$local} }
puts [r2]
