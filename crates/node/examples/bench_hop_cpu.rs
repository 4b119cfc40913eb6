//! The CPU of a jump without the network: what `bench_migration`'s hop
//! costs besides the sockets and thread wake-ups. Two runtimes in one
//! process; their router hands each departure to this thread, which
//! encodes the agent's image, decodes it, and admits it on the other
//! runtime, where the agent runs its next slice on this same thread (as on
//! a node's network reader) until it jumps again. One thread does it all,
//! so the time per hop is CPU time; run it under `valgrind --tool=callgrind`
//! for instruction counts, which this machine's noise does not blur.
//! Usage:
//! cargo run --release -p itinerant-node --example bench_hop_cpu -- [HOPS] [STATE_BYTES]

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use itinerant_core::{
    AgentId, Departure, DepartureKind, DepartureOutcome, Message, Router, Runtime, RuntimeConfig, SendError,
};

// The same allocator as `itin` (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Hands every departure, with the node it leaves, to the driving thread.
struct Handover {
    node: &'static str,
    departures: Mutex<mpsc::Sender<(&'static str, Departure)>>,
}

impl Router for Handover {
    fn route(&self, to: &AgentId, _msg: Message) -> Result<(), SendError> {
        Err(SendError::Unreachable(format!("agent \"{to}\": this benchmark carries no messages")))
    }

    fn depart(&self, departure: Departure) -> Result<(), String> {
        let departures = self.departures.lock().unwrap_or_else(|e| e.into_inner());
        departures.send((self.node, departure)).map_err(|e| e.to_string())
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let hops: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let state: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1024);
    let (tx, departures) = mpsc::channel();
    let runtime = |node: &'static str| {
        let rt = Runtime::new(RuntimeConfig::for_node(node));
        rt.set_router(Arc::new(Handover { node, departures: Mutex::new(tx.clone()) }));
        rt
    };
    let (alpha, beta) = (runtime("alpha"), runtime("beta"));
    let script = format!(
        "set state [string repeat x {state}]
         for {{set i 0}} {{$i < {hops}}} {{incr i}} {{
             agent_jump [expr {{$i % 2 ? \"alpha\" : \"beta\"}}]
         }}
         string length $state"
    );
    let id = alpha.spawn(&script, None).expect("spawn");
    let mut image_bytes = 0;
    let mut done = 0;
    let started = Instant::now();
    while done < hops {
        let Ok((from, departure)) = departures.recv_timeout(Duration::from_secs(10)) else {
            panic!("no departure after {done} hops");
        };
        let (source, dest) = if from == "alpha" { (&alpha, &beta) } else { (&beta, &alpha) };
        let bytes = itinerant_node::image::encode(&departure.image);
        image_bytes = bytes.len();
        let image = itinerant_node::image::decode(&bytes).expect("the image decodes");
        let (agent, epoch) = (image.id.clone(), image.epoch);
        let prepared = dest.prepare_arrival(DepartureKind::Jump, image).expect("arrival");
        source.departure_done(&agent, epoch, DepartureOutcome::Accepted(agent.clone()));
        dest.admit_and_run(prepared).expect("admitted");
        done += 1;
    }
    let elapsed = started.elapsed();
    let end = if hops.is_multiple_of(2) { &alpha } else { &beta };
    let outcome = end.wait(&id, Duration::from_secs(10)).expect("the agent ends");
    assert_eq!(outcome.result.as_deref(), Ok(state.to_string().as_str()), "the agent's state came along");
    println!("hop_cpu_us {:.2} us (image {image_bytes} bytes)", elapsed.as_secs_f64() * 1e6 / hops as f64);
    println!("hop_cpu_rate {:.0} hops/s", hops as f64 / elapsed.as_secs_f64());
}
