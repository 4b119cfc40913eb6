//! The FIPA interaction protocols as Tcl procs, loaded into an agent by
//! `package require fipa` (so agents that do not use them pay nothing).
//!
//! Initiator side: `fipa_request`, `fipa_query`, `fipa_contract_net`.
//! Participant side: `fipa_serve_requests`, `fipa_contractor`.

/// Version reported by `package require fipa`.
pub const VERSION: &str = "1.0";

/// (name, parameters, body) of each proc.
pub const PROCS: &[(&str, &str, &str)] = &[
    (
        "fipa_conversation",
        "",
        r#"
        global agent fipa_seq
        if {![info exists fipa_seq]} { set fipa_seq 0 }
        return "$agent(local)-[incr fipa_seq]"
        "#,
    ),
    (
        // fipa-request: ask RECEIVER to do CONTENT; returns its inform's content.
        "fipa_request",
        "receiver content {timeout 10000}",
        r#"
        set cid [fipa_conversation]
        acl send -performative request -receiver $receiver -content $content -conversation-id $cid -protocol fipa-request
        while 1 {
            set m [acl receive -conversation-id $cid -timeout $timeout]
            if {$m eq ""} { error "fipa-request to $receiver: no answer within $timeout ms" }
            switch -- [dict get $m performative] {
                agree { continue }
                inform { return [dict get $m content] }
                refuse - failure - not-understood {
                    error "fipa-request to $receiver: [dict get $m performative]: [dict get $m content]"
                }
            }
        }
        "#,
    ),
    (
        // fipa-query: ask RECEIVER about CONTENT (query-ref); returns the answer.
        "fipa_query",
        "receiver content {timeout 10000}",
        r#"
        set cid [fipa_conversation]
        acl send -performative query-ref -receiver $receiver -content $content -conversation-id $cid -protocol fipa-query
        set m [acl receive -conversation-id $cid -timeout $timeout]
        if {$m eq ""} { error "fipa-query to $receiver: no answer within $timeout ms" }
        if {[dict get $m performative] ne "inform"} {
            error "fipa-query to $receiver: [dict get $m performative]: [dict get $m content]"
        }
        dict get $m content
        "#,
    ),
    (
        // Serves COUNT requests (or queries): calls HANDLER with the content;
        // answers agree+inform with its result, or failure with its error.
        "fipa_serve_requests",
        "handler {count 1}",
        r#"
        for {set i 0} {$i < $count} {incr i} {
            set m [acl receive]
            set p [dict get $m performative]
            if {$p ni {request query-ref query-if}} {
                acl reply $m -performative not-understood -content "expected a request, got $p"
                continue
            }
            if {[catch {{*}$handler [dict get $m content]} result]} {
                acl reply $m -performative failure -content $result
            } else {
                if {$p eq "request"} { acl reply $m -performative agree }
                acl reply $m -performative inform -content $result
            }
        }
        "#,
    ),
    (
        // fipa-contract-net: call for proposals on TASK among CONTRACTORS;
        // the lowest numeric proposal wins. Returns {winner result}.
        "fipa_contract_net",
        "contractors task {timeout 10000}",
        r#"
        set cid [fipa_conversation]
        foreach c $contractors {
            acl send -performative cfp -receiver $c -content $task -conversation-id $cid -reply-with $c -protocol fipa-contract-net
        }
        set proposals {}
        foreach c $contractors {
            set m [acl receive -conversation-id $cid -timeout $timeout]
            if {$m eq ""} break
            if {[dict get $m performative] eq "propose"} {
                lappend proposals [list [dict get $m content] $m]
            }
        }
        if {![llength $proposals]} { error "fipa-contract-net: no proposals for $task" }
        set sorted [lsort -real -index 0 $proposals]
        set best [lindex $sorted 0 1]
        acl reply $best -performative accept-proposal
        foreach other [lrange $sorted 1 end] { acl reply [lindex $other 1] -performative reject-proposal }
        set m [acl receive -conversation-id $cid -sender [dict get $best sender] -timeout $timeout]
        if {$m eq "" || [dict get $m performative] ne "inform"} {
            error "fipa-contract-net: [dict get $best sender] did not report the result"
        }
        list [dict get $best sender] [dict get $m content]
        "#,
    ),
    (
        // A contractor for one call: BIDDER gives a price (or "" to refuse),
        // WORKER does the task. Returns won, lost or refused.
        "fipa_contractor",
        "bidder worker",
        r#"
        set cfp [acl receive -performative cfp]
        set price [{*}$bidder [dict get $cfp content]]
        if {$price eq ""} {
            acl reply $cfp -performative refuse
            return refused
        }
        acl reply $cfp -performative propose -content $price
        set answer [acl receive -conversation-id [dict get $cfp conversation-id] -sender [dict get $cfp sender]]
        if {[dict get $answer performative] ne "accept-proposal"} { return lost }
        if {[catch {{*}$worker [dict get $cfp content]} result]} {
            acl reply $answer -performative failure -content $result
            return failed
        }
        acl reply $answer -performative inform -content $result
        return won
        "#,
    ),
];
