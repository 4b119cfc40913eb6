//! The runtime with real worker threads: messaging, ordering, timeouts,
//! preemption of busy agents, many agents.

use std::time::{Duration, Instant};

use itinerant_core::{AgentState, Runtime, RuntimeConfig};

const WAIT: Duration = Duration::from_secs(20);

/// Polls until `id` is in `state` (bounded by `WAIT`).
fn wait_state(rt: &Runtime, id: &itinerant_core::AgentId, state: AgentState) -> bool {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if rt.state(id) == Some(state) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

fn runtime(workers: usize) -> Runtime {
    let mut c = RuntimeConfig::for_node("alpha");
    c.workers = workers;
    Runtime::new(c)
}

#[test]
fn messages_arrive_in_order_with_sender() {
    let rt = runtime(2);
    let sink = rt
        .spawn(
            "set got {}; for {set i 0} {$i < 100} {incr i} { set from [agent_receive c b]; lappend got $b }; set got",
            Some("sink"),
        )
        .unwrap();
    let src = rt.spawn("for {set i 0} {$i < 100} {incr i} { agent_send sink 0 $i }; set done 1", None).unwrap();
    assert_eq!(rt.wait(&src, WAIT).unwrap().result, Ok("1".into()));
    let got = rt.wait(&sink, WAIT).unwrap().result.unwrap();
    let expected: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    assert_eq!(got, expected.join(" "));
    rt.shutdown();
}

#[test]
fn receive_reports_sender_and_code() {
    let rt = runtime(2);
    let b = rt.spawn("set from [agent_receive code body]; list $from $code $body", Some("b")).unwrap();
    let a = rt.spawn("agent_send b 42 {hello world}; set agent(local)", None).unwrap();
    let a_id = rt.wait(&a, WAIT).unwrap().result.unwrap();
    let got = rt.wait(&b, WAIT).unwrap().result.unwrap();
    assert_eq!(got, format!("{a_id} 42 {{hello world}}"));
    rt.shutdown();
}

#[test]
fn receive_timeout_and_nonblocking_return_empty() {
    let rt = runtime(1);
    let t0 = Instant::now();
    let a = rt
        .spawn("set x [agent_receive c b -nonblocking]; set y [agent_receive c b -timeout 50]; list <$x> <$y>", None)
        .unwrap();
    assert_eq!(rt.wait(&a, WAIT).unwrap().result, Ok("<> <>".into()));
    assert!(t0.elapsed() >= Duration::from_millis(50));
    rt.shutdown();
}

#[test]
fn after_sleeps_without_holding_a_worker() {
    // One worker: the sleeper must not block the counter.
    let rt = runtime(1);
    let sleeper = rt.spawn("after 2000; set slept 1", None).unwrap();
    assert!(wait_state(&rt, &sleeper, AgentState::Waiting));
    let counter = rt.spawn("set s 0; for {set i 0} {$i < 1000} {incr i} { incr s }; set s", None).unwrap();
    assert_eq!(rt.wait(&counter, WAIT).unwrap().result, Ok("1000".into()));
    assert_eq!(rt.state(&sleeper), Some(AgentState::Waiting));
    assert_eq!(rt.wait(&sleeper, WAIT).unwrap().result, Ok("1".into()));
    rt.shutdown();
}

#[test]
fn busy_loop_does_not_stall_ping_pong() {
    // Two workers and two busy loops: ping-pong still completes, because
    // busy agents give their worker back after every budget slice.
    let rt = runtime(2);
    let busy1 = rt.spawn("while 1 {}", None).unwrap();
    let busy2 = rt.spawn("while 1 {}", None).unwrap();
    let _pong = rt.spawn("while 1 { set from [agent_receive c b]; agent_send $from $c $b }", Some("pong")).unwrap();
    let ping = rt
        .spawn("set t [clock microseconds]; for {set i 0} {$i < 200} {incr i} { agent_send pong $i x; agent_receive c b }; expr {[clock microseconds] - $t}", None)
        .unwrap();
    let micros: u64 = rt.wait(&ping, WAIT).expect("ping-pong finished").result.unwrap().parse().unwrap();
    // Measured here: a few milliseconds per round trip at most with two
    // busy loops sharing the two workers (budget 10,000 instructions).
    eprintln!("ping-pong beside two busy loops: {} us per round trip", micros / 200);
    assert!(micros / 200 < 50_000, "round trip took {} us", micros / 200);
    assert_eq!(rt.state(&busy1), Some(AgentState::Active));
    assert_eq!(rt.state(&busy2), Some(AgentState::Active));
    rt.shutdown();
}

#[test]
fn errors_and_console() {
    let rt = runtime(1);
    let a = rt.spawn("puts hello; proc p {} { error boom }; p", None).unwrap();
    let out = rt.wait(&a, WAIT).unwrap();
    let info = out.result.unwrap_err();
    assert!(info.starts_with("boom\n    while executing\n\"error boom"), "{info}");
    assert!(info.contains("(procedure \"p\" line 1)"), "{info}");
    assert_eq!(rt.console(&a).unwrap(), "hello\n");
    rt.shutdown();
}

#[test]
fn send_to_unknown_agent_is_an_error() {
    let rt = runtime(1);
    let a = rt.spawn("catch {agent_send 999@alpha 0 x} m; set m", None).unwrap();
    assert_eq!(rt.wait(&a, WAIT).unwrap().result, Ok("no agent \"999@alpha\" on this node".into()));
    rt.shutdown();
}

#[test]
fn agent_identity_and_info() {
    let rt = runtime(1);
    let a = rt.spawn("agent_name worker; dict get [agent_info] name", None).unwrap();
    assert_eq!(rt.wait(&a, WAIT).unwrap().result, Ok("worker".into()));
    let b = rt.spawn("list $agent(local) $agent(node) [agent_begin]", None).unwrap();
    let r = rt.wait(&b, WAIT).unwrap().result.unwrap();
    assert_eq!(r, format!("{b} alpha {b}"));
    // Named from inside a proc: the global array changes, no local appears.
    let c = rt.spawn("proc f {} { agent_name inner; info exists agent }; list [f] $agent(name)", None).unwrap();
    assert_eq!(rt.wait(&c, WAIT).unwrap().result, Ok("0 inner".into()));
    rt.shutdown();
}

#[test]
fn many_agents_all_finish() {
    let rt = runtime(2);
    let ids: Vec<_> = (0..2000).map(|i| rt.spawn(&format!("expr {{{i} * 2}}"), None).unwrap()).collect();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(rt.wait(id, WAIT).unwrap().result, Ok((i * 2).to_string()));
    }
    assert_eq!(rt.live_agents(), 0);
    rt.shutdown();
}

#[test]
fn acl_receive_filters_and_leaves_the_rest_queued() {
    let rt = runtime(2);
    let b = rt
        .spawn(
            r#"
            set m1 [acl receive -performative request]
            set m2 [acl receive -conversation-id c9]
            set m3 [acl receive]
            list [dict get $m1 content] [dict get $m2 content] [dict get $m3 content] [dict get $m3 performative]
            "#,
            Some("b"),
        )
        .unwrap();
    let a = rt
        .spawn(
            "acl send -performative inform -receiver b -content first -conversation-id c9
             acl send -performative inform -receiver b -content second
             acl send -performative request -receiver b -content third",
            None,
        )
        .unwrap();
    rt.wait(&a, WAIT).unwrap().result.unwrap();
    assert_eq!(rt.wait(&b, WAIT).unwrap().result, Ok("third first second inform".into()));
    rt.shutdown();
}

#[test]
fn acl_errors_are_clear() {
    let rt = runtime(1);
    let a = rt
        .spawn(
            "list [catch {acl send -performative gossip -receiver x} m1] [string range $m1 0 24] \
                  [catch {acl send -performative inform} m2] $m2 \
                  [catch {acl send -performative inform -receiver nobody} m3] $m3 \
                  [acl receive -timeout 10]",
            None,
        )
        .unwrap();
    assert_eq!(
        rt.wait(&a, WAIT).unwrap().result,
        Ok(r#"1 {bad performative "gossip"} 1 {missing -receiver} 1 {no agent "nobody"} {}"#.into())
    );
    rt.shutdown();
}

#[test]
fn contract_net_in_one_runtime() {
    let rt = runtime(2);
    let contractor = r#"
        set cfp [acl receive -performative cfp]
        set price [expr {[string length $agent(name)] * 10 + [lindex [dict get $cfp content] 0]}]
        acl reply $cfp -performative propose -content $price
        set answer [acl receive -conversation-id [dict get $cfp conversation-id]]
        if {[dict get $answer performative] eq "accept-proposal"} {
            acl reply $answer -performative inform -content "done by $agent(name)"
        }
        dict get $answer performative
    "#;
    let names = ["c1", "cc2", "ccc3"];
    let ids: Vec<_> = names.iter().map(|n| rt.spawn(contractor, Some(n)).unwrap()).collect();
    let manager = rt
        .spawn(
            r#"
            foreach c {c1 cc2 ccc3} { acl send -performative cfp -receiver $c -content "5 units" -conversation-id job1 -reply-with $c }
            set proposals {}
            for {set i 0} {$i < 3} {incr i} {
                set p [acl receive -performative propose -conversation-id job1]
                lappend proposals [list [dict get $p content] $p]
            }
            set sorted [lsort -integer -index 0 $proposals]
            set best [lindex $sorted 0 1]
            acl reply $best -performative accept-proposal
            foreach other [lrange $sorted 1 end] { acl reply [lindex $other 1] -performative reject-proposal }
            set result [acl receive -performative inform -conversation-id job1]
            dict get $result content
            "#,
            None,
        )
        .unwrap();
    let m = rt.wait(&manager, WAIT);
    if m.is_none() {
        for id in ids.iter().chain(std::iter::once(&manager)) {
            eprintln!("{id}: {:?} {:?}", rt.state(id), rt.wait(id, Duration::from_millis(10)));
        }
    }
    assert_eq!(m.unwrap().result, Ok("done by c1".into()));
    let outcomes: Vec<_> = ids.iter().map(|id| rt.wait(id, WAIT).unwrap().result.unwrap()).collect();
    assert_eq!(outcomes, ["accept-proposal", "reject-proposal", "reject-proposal"]);
    rt.shutdown();
}

#[test]
fn suspend_resume_kill() {
    let rt = runtime(2);
    // A counter that is suspended stops counting, and resumes later.
    let counter = rt.spawn("set n 0; while 1 { incr n; if {$n % 1000 == 0} { set ::last $n } }", None).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    rt.suspend(&counter).unwrap();
    assert!(wait_state(&rt, &counter, AgentState::Suspended));
    rt.resume(&counter).unwrap();
    assert!(wait_state(&rt, &counter, AgentState::Active));
    rt.kill(&counter).unwrap();
    assert_eq!(rt.wait(&counter, WAIT).unwrap().result, Err("killed".into()));

    // A suspended receiver keeps its messages until resumed.
    let rx = rt.spawn("agent_receive c b; set b", Some("rx")).unwrap();
    assert!(wait_state(&rt, &rx, AgentState::Waiting));
    rt.suspend(&rx).unwrap();
    rt.send_text(&rx, None, 1, "hello").unwrap();
    // The message wakes it, but it stays suspended (held, not run).
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(rt.state(&rx), Some(AgentState::Suspended));
    rt.resume(&rx).unwrap();
    assert_eq!(rt.wait(&rx, WAIT).unwrap().result, Ok("hello".into()));

    // From Tcl: ams kill, ams where, ams search.
    let victim = rt.spawn("agent_receive c b", Some("victim")).unwrap();
    let boss = rt
        .spawn("set w [ams where victim]; set s [ams search -name victim]; ams kill victim; list $w [llength $s]", None)
        .unwrap();
    assert_eq!(rt.wait(&boss, WAIT).unwrap().result, Ok("alpha 1".into()));
    assert_eq!(rt.wait(&victim, WAIT).unwrap().result, Err("killed".into()));
    assert!(rt.kill(&victim).is_err());
    rt.shutdown();
}

#[test]
fn df_register_and_search() {
    let rt = runtime(2);
    let printer = rt
        .spawn("df register -service {type printer name laser color no}; agent_receive c b; set b", Some("printer"))
        .unwrap();
    let scanner = rt.spawn("df register -service {type scanner name flatbed}; agent_receive c b", None).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let client = rt
        .spawn(
            r#"
            set found [df search -type printer]
            set who [dict get [lindex $found 0] agent]
            set r [list [llength $found] [dict get [lindex $found 0] service name] [llength [df search -property {color no}]] [llength [df search]]]
            agent_send $who 1 "print this"
            set r
            "#,
            None,
        )
        .unwrap();
    assert_eq!(rt.wait(&client, WAIT).unwrap().result, Ok("1 laser 1 2".into()));
    assert_eq!(rt.wait(&printer, WAIT).unwrap().result, Ok("print this".into()));
    // An agent that ended leaves the directory.
    let after = rt.spawn("after 20; llength [df search]", None).unwrap();
    assert_eq!(rt.wait(&after, WAIT).unwrap().result, Ok("1".into()));
    rt.kill(&scanner).unwrap();
    rt.shutdown();
}

#[test]
fn fipa_protocols_as_library_procs() {
    let rt = runtime(2);
    let server = rt
        .spawn(
            "package require fipa
             proc double {x} { if {![string is integer -strict $x]} { error \"not a number: $x\" }; expr {$x * 2} }
             fipa_serve_requests double 3",
            Some("server"),
        )
        .unwrap();
    let client = rt
        .spawn(
            "package require fipa
             set a [fipa_request server 21]
             set b [fipa_query server 5]
             set c [catch {fipa_request server abc} msg]
             list $a $b $c $msg",
            None,
        )
        .unwrap();
    assert_eq!(
        rt.wait(&client, WAIT).unwrap().result,
        Ok("42 10 1 {fipa-request to server: failure: not a number: abc}".into())
    );
    rt.wait(&server, WAIT).unwrap().result.unwrap();

    let contractor = |rate: i64| {
        format!(
            "package require fipa
             proc bid {{task}} {{ expr {{[lindex $task 1] * {rate}}} }}
             proc work {{task}} {{ return \"done by $::agent(name)\" }}
             fipa_contractor bid work"
        )
    };
    let ids: Vec<_> =
        [("c7", 7), ("c5", 5), ("c9", 9)].iter().map(|(n, r)| rt.spawn(&contractor(*r), Some(n)).unwrap()).collect();
    let manager = rt
        .spawn(
            &format!(
                "package require fipa; fipa_contract_net {{{}}} {{crates 12}}",
                ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
            ),
            None,
        )
        .unwrap();
    assert_eq!(rt.wait(&manager, WAIT).unwrap().result, Ok(format!("{} {{done by c5}}", ids[1])));
    let outcomes: Vec<_> = ids.iter().map(|id| rt.wait(id, WAIT).unwrap().result.unwrap()).collect();
    assert_eq!(outcomes, ["lost", "won", "lost"]);
    rt.shutdown();
}

#[test]
fn exec_runs_on_the_blocking_pool_while_other_agents_go_on() {
    let mut config = RuntimeConfig::for_node("alpha");
    config.workers = 1;
    config.blocking_threads = 2;
    config.exec_allow = vec!["sleep".into(), "echo".into()];
    let rt = Runtime::new(config);
    // Two agents sleep in a program for 500 ms each; the only worker is free
    // meanwhile, so a ping-pong agent pair does 200 round trips.
    let sleepers: Vec<_> = (0..2).map(|_| rt.spawn("exec sleep 0.5; exec echo slept", None).unwrap()).collect();
    let started = Instant::now();
    rt.spawn("while 1 { set from [agent_receive c b]; agent_send $from $c $b }", Some("pong")).unwrap();
    let ping =
        rt.spawn("for {set i 0} {$i < 200} {incr i} { agent_send pong $i x; agent_receive c b }; set i", None).unwrap();
    assert_eq!(rt.wait(&ping, WAIT).unwrap().result, Ok("200".into()));
    let ping_time = started.elapsed();
    for s in &sleepers {
        assert_eq!(rt.wait(s, WAIT).unwrap().result, Ok("slept".into()));
    }
    assert!(ping_time < Duration::from_millis(450), "ping-pong waited for exec: {ping_time:?}");
    // Not on the allow-list: refused with a reason.
    let bad = rt.spawn("exec rm -rf /tmp/nothing", None).unwrap();
    let err = rt.wait(&bad, WAIT).unwrap().result.unwrap_err();
    assert!(err.starts_with("permission denied: exec rm"), "{err}");
    rt.shutdown();
}

#[test]
fn agents_are_addressable_before_they_first_run() {
    // One worker kept busy: new agents wait in the queue, not yet built
    // (their interpreter is made by the worker that first runs them).
    let rt = runtime(1);
    let busy = rt.spawn("set n 0; while 1 { incr n }", None).unwrap();
    let rx = rt.spawn("agent_receive c b; list $agent(name) $c $b", Some("early")).unwrap();
    rt.send_text(&rx, None, 7, "first").unwrap();
    assert_eq!(rt.lookup("early"), Some(rx.clone()));
    let doomed = rt.spawn("while 1 {}", None).unwrap();
    rt.kill(&doomed).unwrap();
    assert_eq!(rt.wait(&rx, WAIT).unwrap().result, Ok("early 7 first".into()));
    assert_eq!(rt.wait(&doomed, WAIT).unwrap().result, Err("killed".into()));
    rt.kill(&busy).unwrap();
    assert_eq!(rt.wait(&busy, WAIT).unwrap().result, Err("killed".into()));
    rt.shutdown();
}

#[test]
fn send_many_keeps_order_and_reports_each_failure() {
    use itinerant_core::{AgentId, Message, SendError};
    let mut c = RuntimeConfig::for_node("alpha");
    c.workers = 2;
    c.quotas.mailbox_depth = 5;
    let rt = Runtime::new(c);
    // A receiver that waits until told, then takes five messages.
    let sink = rt
        .spawn("agent_receive c go; set got {}; for {set i 0} {$i < 5} {incr i} { agent_receive c b; lappend got $c:$b }; set got", None)
        .unwrap();
    assert!(wait_state(&rt, &sink, AgentState::Waiting));
    let msg = |code: i64, body: &str| Message { from: None, code, body: body.into(), acl: None, hops: 0, seq: None };
    let nobody = AgentId::parse("999@alpha").unwrap();
    let elsewhere = AgentId::parse("1@beta").unwrap();
    let mut batch = vec![(sink.clone(), msg(0, "go"))];
    batch.push((nobody.clone(), msg(9, "lost")));
    for i in 1..=5 {
        batch.push((sink.clone(), msg(i, &format!("m{i}"))));
    }
    // The batch is delivered under one lock: "go" wakes the receiver, the
    // next five fill its mailbox, the sixth is over the limit; then one for
    // a node this runtime has no route to.
    batch.push((sink.clone(), msg(6, "m6")));
    batch.push((elsewhere.clone(), msg(7, "far")));
    let results = rt.send_many(batch);
    assert_eq!(results.len(), 9);
    assert_eq!(results[0], Ok(()));
    assert_eq!(results[1], Err(SendError::NoSuchAgent(nobody.to_string())));
    for r in &results[2..7] {
        assert_eq!(*r, Ok(()));
    }
    assert_eq!(results[7], Err(SendError::MailboxFull(sink.to_string())));
    assert_eq!(results[8], Err(SendError::NoSuchAgent(elsewhere.to_string())));
    assert_eq!(rt.wait(&sink, WAIT).unwrap().result, Ok("1:m1 2:m2 3:m3 4:m4 5:m5".into()));
}

#[test]
fn receive_takes_queued_messages_in_order_inside_procs() {
    // Messages already queued are taken without the agent stopping; they
    // land in the caller's frame, in order, with the sender as result.
    let rt = runtime(1);
    let sink = rt
        .spawn(
            "proc take {} { set from [agent_receive c b]; return $from:$c:$b }
             agent_receive c go
             set got {}; for {set i 0} {$i < 50} {incr i} { lappend got [take] }; set got",
            Some("sink"),
        )
        .unwrap();
    assert!(wait_state(&rt, &sink, AgentState::Waiting));
    let src = rt
        .spawn("for {set i 0} {$i < 50} {incr i} { agent_send sink $i b$i }; agent_send sink 0 go; set i", None)
        .unwrap();
    let src_out = rt.wait(&src, WAIT).unwrap().result;
    assert_eq!(src_out, Ok("50".into()));
    let got = rt.wait(&sink, WAIT).unwrap().result.unwrap();
    // The first receive (into "go") took message 0; "go" came last.
    let items: Vec<&str> = got.split(' ').collect();
    assert_eq!(items.len(), 50);
    for (k, item) in items.iter().enumerate() {
        let i = k + 1;
        let expected = if i < 50 { format!("{src}:{i}:b{i}") } else { format!("{src}:0:go") };
        assert_eq!(*item, expected);
    }
}

#[test]
fn only_the_latest_ended_agents_are_remembered() {
    let mut config = RuntimeConfig::for_node("alpha");
    config.ended_kept = 5;
    let rt = Runtime::new(config);
    // One at a time, so the order they end in is the order they were spawned
    // in (spawned together, an early one may end last on a busy machine).
    let ids: Vec<_> = (0..20)
        .map(|i| {
            let id = rt.spawn(&format!("set x {i}"), None).unwrap();
            assert_eq!(rt.wait(&id, WAIT).unwrap().result, Ok(i.to_string()));
            id
        })
        .collect();
    let deadline = Instant::now() + WAIT;
    while ids[..15].iter().any(|id| rt.state(id).is_some()) {
        assert!(Instant::now() < deadline, "old outcomes never forgotten");
        std::thread::sleep(Duration::from_millis(10));
    }
    for (i, id) in ids.iter().enumerate().skip(15) {
        assert_eq!(rt.wait(id, WAIT).unwrap().result, Ok(i.to_string()), "a recent outcome was forgotten");
    }
    rt.shutdown();
}

#[test]
fn numbered_messages_are_reordered_repeats_dropped_and_a_lost_one_skipped() {
    use itinerant_core::{AgentId, Message};
    let rt = runtime(1);
    let sink = rt
        .spawn("set got {}; for {set i 0} {$i < 6} {incr i} { agent_receive c b; lappend got $b }; set got", None)
        .unwrap();
    let far = AgentId::parse("5@beta").unwrap();
    let numbered = |seq: u64| Message {
        from: Some(far.clone()),
        code: 0,
        body: format!("n{seq}"),
        acl: None,
        hops: 0,
        seq: Some(seq),
    };
    let started = Instant::now();
    // 3 and 2 early, a repeat of 2, then 1 fills the gap; 4 never comes.
    for seq in [3, 2, 2, 1, 1, 5] {
        rt.send(&sink, numbered(seq)).unwrap();
    }
    // Unnumbered: delivered at once, ahead of the held-back 5.
    rt.send_text(&sink, Some(&far), 0, "plain").unwrap();
    rt.send(&sink, numbered(6)).unwrap();
    let got = rt.wait(&sink, WAIT).unwrap().result;
    assert_eq!(got, Ok("n1 n2 n3 plain n5 n6".into()));
    assert!(started.elapsed() >= itinerant_core::ordering::GAP_TIMEOUT, "5 waited for 4");
    let console = rt.console(&sink).unwrap();
    assert!(console.contains("--- message 4 from 5@beta never came; skipped ---"), "{console}");
}
