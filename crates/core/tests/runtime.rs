//! The runtime with real worker threads: messaging, ordering, timeouts,
//! preemption of busy agents, many agents.

use std::time::{Duration, Instant};

use itinerant_core::{AgentState, Runtime, RuntimeConfig};

const WAIT: Duration = Duration::from_secs(20);

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
    let sleeper = rt.spawn("after 200; set slept 1", None).unwrap();
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
