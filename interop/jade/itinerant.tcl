# The Itinerant side of scripts/jade-interop.sh (registered as "echo"):
# answers the JADE agent's request with an inform, then asks it a query-ref
# and returns its answer. A foreign sender arrives as {NAME URL}, which
# `acl reply` and `acl send -receiver` use as they are.
agent_name echo
set m [acl receive -performative request -timeout 90000]
if {$m eq ""} { error "no request from JADE within 90 s" }
acl reply $m -performative inform -content "itinerant-answer [dict get $m content]"
set jade [dict get $m sender]
acl send -performative query-ref -receiver $jade -content what-time -conversation-id itin-q1 -reply-with iq1 -protocol fipa-query
set r [acl receive -conversation-id itin-q1 -timeout 30000]
if {$r eq ""} { error "no answer from JADE within 30 s" }
return "INTEROP-OK [dict get $r performative] {[dict get $r content]} from [lindex [dict get $r sender] 0]"
