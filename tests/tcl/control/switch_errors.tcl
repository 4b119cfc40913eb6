catch {switch} msg; puts $msg
catch {switch x} msg; puts $msg
catch {switch x {a}} msg; puts $msg
catch {switch x a} msg; puts $msg
catch {switch -foo x {a b}} msg; puts $msg
catch {switch -glob -exact x {a b}} msg; puts $msg
catch {switch -matchvar m x {a b}} msg; puts $msg
catch {switch -regexp x {( b}} msg; puts $msg
catch {switch x {a {error inbody}}} msg; puts $msg
catch {switch x {x {error inbody}}} msg; puts $msg
