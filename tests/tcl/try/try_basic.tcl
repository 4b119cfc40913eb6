puts [try {set x 1}]
puts [try {expr {2 + 2}} finally {puts "finally ran"}]
try { error boom } on error {msg} { puts "caught: $msg" }
try { error boom } on error {msg opts} { puts "code=[dict get $opts -code] level=[dict get $opts -level]" }
puts [try { return hello } on return {v} { set r "return: $v" }]
puts [try { set a 5 } on ok {v} { set r "ok handler: $v" }]
try { break } on break {} { puts "break caught" }
try { continue } on continue {} { puts "continue caught" }
puts [try {error x} on error {} {}]
puts <[try {}]>
