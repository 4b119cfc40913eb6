catch {error a} m; puts $::errorCode
catch {error a b c} m; puts $::errorCode
catch {error a b {c d}} m; puts $::errorCode
catch {throw {E F} g} m; puts $::errorCode
catch {set nosuch} m; puts $::errorCode
catch {nosuchproc} m; puts $::errorCode
catch {expr 1/0} m; puts $::errorCode
catch {lindex {} {} {} x} m; puts $::errorCode
catch {incr x abc} m; puts $::errorCode
catch {string repeat a b} m; puts $::errorCode
catch {dict get {a 1} b} m; puts $::errorCode
catch {array set a {1 2 3}} m; puts $::errorCode
catch {list a "b} m; puts $::errorCode
catch {apply} m; puts $::errorCode
catch {expr {"x" * 2}} m; puts $::errorCode
catch {expr {sqrt(-2)}} m; puts $::errorCode
catch {regexp {(} x} m; puts $::errorCode
catch {format %d x} m; puts $::errorCode
catch {string index abc x} m; puts $::errorCode
catch {lsort -integer {1 a}} m; puts $::errorCode
catch {unset nosuchvar} m; puts $::errorCode
