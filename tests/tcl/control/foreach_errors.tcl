catch {foreach} msg; puts $msg
catch {foreach x} msg; puts $msg
catch {foreach x {1 2}} msg; puts $msg
catch {foreach {} {1 2} {}} msg; puts $msg
catch {foreach x {1 2} y {}} msg; puts $msg
set bad "a \{b"
catch {foreach x $bad {}} msg; puts $msg
catch {foreach x {1 2} {error oops}} msg; puts $msg
array set arr {}
catch {foreach arr {1 2} {}} msg; puts $msg
