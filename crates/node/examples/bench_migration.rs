//! Migration between two nodes over loopback, beside a plain TCP round
//! trip measured in the same run. Both nodes run in this process (two
//! `Node`s on 127.0.0.1 port 0, linked by real TCP connections, no store),
//! first over plain TCP, then over mutual TLS under a throwaway CA (each
//! line prefixed `plain_` or `mtls_`). Prints `name value unit` lines. Usage:
//! cargo run --release -p itinerant-node --example bench_migration -- [HOPS] [STATE_BYTES]
//!
//! jump: an agent carrying STATE_BYTES of data jumps alpha <-> beta HOPS
//! times, timing each hop from inside (clock microseconds before the jump
//! and after it, on the other node). fork and submit: the same agent forks
//! (or submits a child) to beta HOPS/10 times, timing each call until the
//! clone's id comes back.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use itinerant_core::AgentId;
use itinerant_node::net::pki::Authority;
use itinerant_node::net::tls::NodeTls;
use itinerant_node::node::{Node, NodeConfig};

// The same allocator as `itin` (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WAIT: Duration = Duration::from_secs(600);

/// Median and 99th percentile of `v` (microseconds).
fn percentiles(mut v: Vec<u64>) -> (u64, u64) {
    v.sort_unstable();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

/// Round trips of 64 bytes over a loopback TCP connection (both ends in
/// this process, like the two nodes).
fn tcp_round_trips(n: usize) -> Vec<u64> {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let echo = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        s.set_nodelay(true).ok();
        let mut buf = [0u8; 64];
        while s.read_exact(&mut buf).is_ok() {
            if s.write_all(&buf).is_err() {
                break;
            }
        }
    });
    let mut c = TcpStream::connect(addr).expect("connect");
    c.set_nodelay(true).ok();
    let mut buf = [7u8; 64];
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        c.write_all(&buf).expect("write");
        c.read_exact(&mut buf).expect("read");
        times.push(t.elapsed().as_micros() as u64);
    }
    drop(c);
    let _ = echo.join();
    times
}

/// Runs `script` on alpha until it ends on `end`; its result as numbers.
fn run(alpha: &Node, end: &Node, script: &str) -> (Vec<u64>, Duration) {
    let t = Instant::now();
    let id: AgentId = alpha.runtime().spawn(script, None).expect("spawn");
    let numbers = wait_numbers(end, &id);
    (numbers, t.elapsed())
}

/// Waits for agent `id` to end on `end`; its result as numbers.
fn wait_numbers(end: &Node, id: &AgentId) -> Vec<u64> {
    let deadline = Instant::now() + WAIT;
    let out = loop {
        if let Some(o) = end.runtime().wait(id, Duration::from_millis(5)) {
            break o.result.expect("agent result");
        }
        assert!(Instant::now() < deadline, "agent did not end");
        // `wait` returns at once while the agent is away from `end`: do not
        // spin on a core the nodes need.
        std::thread::sleep(Duration::from_millis(5));
    };
    out.split_whitespace().map(|x| x.parse().expect("number")).collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let hops: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let state: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1024);
    let hops = hops + hops % 2; // even: the agent ends where it started
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio");
    let (p50, p99) = percentiles(tcp_round_trips(hops.max(1000)));
    println!("tcp_round_trip_p50 {p50} us");
    println!("tcp_round_trip_p99 {p99} us");
    let ca = Authority::generate().expect("a CA");
    for (transport, secure) in [("plain", false), ("mtls", true)] {
        let (alpha, beta) = tokio.block_on(async {
            let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
            let config = |name: &str| {
                let mut c = NodeConfig::new(name, any);
                if secure {
                    c.tls = Some(NodeTls::new(name, &ca.node_credentials(name).expect("creds")).expect("tls"));
                }
                c
            };
            let alpha = Node::start(config("alpha")).await.expect("alpha");
            let beta = Node::start(config("beta")).await.expect("beta");
            alpha.add_peer("beta", beta.addr());
            beta.add_peer("alpha", alpha.addr());
            (alpha, beta)
        });
        measure(transport, &alpha, hops, state, p50);
        alpha.stop();
        beta.stop();
    }
}

/// The jump, fork and submit figures of one pair of nodes, each line
/// prefixed with `transport`.
fn measure(transport: &str, alpha: &Node, hops: usize, state: usize, tcp_p50: u64) {
    // Warm up the links both ways.
    run(alpha, alpha, "agent_jump beta; agent_jump alpha; list 0");

    // The times go to a collector on alpha as they are taken, so the
    // jumping agent's state stays at `state` bytes on every hop.
    let collector = alpha
        .runtime()
        .spawn(
            "set times {}
             while 1 { agent_receive code t; if {$t eq {done}} break; lappend times $t }
             set times",
            None,
        )
        .expect("collector");
    let jump = format!(
        "set state [string repeat x {state}]
         for {{set i 0}} {{$i < {hops}}} {{incr i}} {{
             set t [clock microseconds]
             agent_jump [expr {{$i % 2 ? \"alpha\" : \"beta\"}}]
             agent_send {collector} 0 [expr {{[clock microseconds] - $t}}]
         }}
         agent_send {collector} 0 done"
    );
    let (_, elapsed) = run(alpha, alpha, &jump);
    let times = wait_numbers(alpha, &collector);
    let (j50, j99) = percentiles(times);
    println!("{transport}_jump_p50 {j50} us (state {state} bytes)");
    println!("{transport}_jump_p99 {j99} us");
    println!("{transport}_jump_rate {:.0} hops/s", hops as f64 / elapsed.as_secs_f64());
    println!("{transport}_jump_p50_over_tcp_round_trip {:.1} x", j50 as f64 / tcp_p50.max(1) as f64);

    let calls = (hops / 10).max(10);
    for (name, call) in [("fork", "agent_fork beta"), ("submit", "agent_submit beta -script {set x 1}")] {
        let script = format!(
            "set state [string repeat x {state}]; set times {{}}
             for {{set i 0}} {{$i < {calls}}} {{incr i}} {{
                 set t [clock microseconds]
                 if {{[{call}] eq {{}}}} {{ return }}
                 lappend times [expr {{[clock microseconds] - $t}}]
             }}
             set times"
        );
        let (times, _) = run(alpha, alpha, &script);
        let (f50, f99) = percentiles(times);
        println!("{transport}_{name}_p50 {f50} us");
        println!("{transport}_{name}_p99 {f99} us");
    }
}
