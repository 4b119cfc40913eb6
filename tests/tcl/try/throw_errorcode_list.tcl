foreach c {{A} {A B} {"a b" c} {1 2 3 4 5}} {
    catch {throw $c msg} m o
    puts "[llength [dict get $o -errorcode]]: [dict get $o -errorcode]"
}
catch {error msg "" {}} m o
puts "<[dict get $o -errorcode]>"
catch {error msg} m o
puts [dict get $o -errorcode]
catch {error msg info} m o
puts [dict get $o -errorcode]
