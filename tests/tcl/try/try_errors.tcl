catch {try} m; puts $m
catch {try {} on} m; puts $m
catch {try {} on error} m; puts $m
catch {try {} on bogus {} {}} m; puts $m
catch {try {} trap} m; puts $m
catch {try {} finally} m; puts $m
catch {try {} finally {} extra} m; puts $m
catch {try {} blah {} {}} m; puts $m
catch {try {} on error {a b c} {}} m; puts $m
catch {try {} on error {} -} m; puts $m
