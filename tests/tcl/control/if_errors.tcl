catch {if} msg; puts $msg
catch {if 1} msg; puts $msg
catch {if {abc} {puts x}} msg; puts $msg
catch {if 1 then} msg; puts $msg
catch {if 0 {} else} msg; puts $msg
catch {if 0 {} elseif} msg; puts $msg
catch {if 0 {} elseif 1} msg; puts $msg
catch {if {} {puts x}} msg; puts $msg
catch {if {1 +} {puts x}} msg; puts $msg
catch {if 0 {} bogus {}} msg; puts $msg
catch {if {"x"} {puts x}} msg; puts $msg
