//! Messaging between agents on two nodes over loopback. Both nodes run in
//! this one process (two `Node`s, each with its own runtime and workers,
//! on 127.0.0.1 port 0, linked over real TCP connections). Prints
//! `name value unit`. Usage:
//! cargo run --release -p itinerant-node --example bench_remote -- oneway|pingpong N
//!
//! oneway: an agent on alpha sends N messages to an agent on beta. A node's
//! queue to a peer is bounded (a send to a full queue fails), so both this
//! and the Erlang workload (`bench/erlang/remote.erl`) use the same flow
//! control: the receiver acknowledges every `B` messages, the sender keeps
//! at most `W` rounds of `B` unacknowledged. pingpong: N round trips.
//! Each measurement starts after 100 warm-up round trips (links are up).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use itinerant_core::AgentId;
use itinerant_node::node::{Node, NodeConfig};

// The same allocator as `itin` (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WAIT: Duration = Duration::from_secs(600);
/// Messages per acknowledgement (oneway).
const B: usize = 1000;
/// Unacknowledged rounds the sender may have (oneway).
const W: usize = 2;

fn pong(node: &Node) -> AgentId {
    node.runtime().spawn("while 1 { set from [agent_receive c b]; agent_send $from 0 $b }", None).expect("spawn")
}

fn ping_script(pong: &AgentId, n: usize) -> String {
    format!("for {{set i 0}} {{$i < {n}}} {{incr i}} {{ agent_send {pong} 0 x; agent_receive c b }}")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "oneway".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let (alpha, beta) = tokio.block_on(async {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let alpha = Node::start(NodeConfig::new("alpha", any)).await.expect("alpha");
        let beta = Node::start(NodeConfig::new("beta", any)).await.expect("beta");
        alpha.add_peer("beta", beta.addr());
        beta.add_peer("alpha", alpha.addr());
        (alpha, beta)
    });
    // Warm up: both links connected.
    let warm = pong(&beta);
    let ping = alpha.runtime().spawn(&ping_script(&warm, 100), None).expect("spawn");
    alpha.runtime().wait(&ping, WAIT).expect("warm-up done").result.expect("warm-up");
    beta.runtime().kill(&warm).expect("kill");
    match mode.as_str() {
        "oneway" => {
            assert!(n.is_multiple_of(B), "N must be a multiple of {B}");
            let rx = beta
                .runtime()
                .spawn(
                    &format!(
                        "for {{set i 1}} {{$i <= {n}}} {{incr i}} {{ set from [agent_receive c b]; \
                         if {{$i % {B} == 0}} {{ agent_send $from 1 $i }} }}; expr {{$i - 1}}"
                    ),
                    None,
                )
                .expect("spawn");
            let rounds = n / B;
            let t = Instant::now();
            let tx = alpha
                .runtime()
                .spawn(
                    &format!(
                        "set acks 0
                         for {{set r 1}} {{$r <= {rounds}}} {{incr r}} {{
                             for {{set j 0}} {{$j < {B}}} {{incr j}} {{ agent_send {rx} 0 x }}
                             while {{$acks < $r - {W}}} {{ agent_receive c a; incr acks }}
                         }}
                         while {{$acks < {rounds}}} {{ agent_receive c a; incr acks }}
                         set acks"
                    ),
                    None,
                )
                .expect("spawn");
            let out = alpha.runtime().wait(&tx, WAIT).expect("sender done");
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(out.result, Ok(rounds.to_string()), "sender");
            let got = beta.runtime().wait(&rx, WAIT).expect("receiver done");
            assert_eq!(got.result, Ok(n.to_string()), "receiver");
            println!("remote_oneway_rate {:.0} messages/s", n as f64 / secs);
        }
        "pingpong" => {
            let pong = pong(&beta);
            let t = Instant::now();
            let ping = alpha.runtime().spawn(&ping_script(&pong, n), None).expect("spawn");
            let out = alpha.runtime().wait(&ping, WAIT).expect("done");
            let secs = t.elapsed().as_secs_f64();
            out.result.expect("ping");
            println!("remote_pingpong_rate {:.0} roundtrips/s", n as f64 / secs);
        }
        other => eprintln!("unknown mode {other}: oneway or pingpong"),
    }
    alpha.stop();
    beta.stop();
}
