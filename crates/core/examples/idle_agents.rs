//! Memory per idle agent: N agents blocked in `agent_receive` on one
//! runtime (RSS growth / N). Usage:
//! cargo run --release -p itinerant-core --example idle_agents -- N

use std::time::{Duration, Instant};

use itinerant_core::{AgentState, Runtime, RuntimeConfig};

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let rt = Runtime::new(RuntimeConfig::for_node("alpha"));
    let before = rss_kib();
    let t0 = Instant::now();
    let mut last = None;
    for _ in 0..n {
        last = Some(rt.spawn("agent_receive code body", None).expect("spawn"));
    }
    let spawned = t0.elapsed();
    // Wait until the last one is parked.
    let last = last.expect("at least one agent");
    while rt.state(&last) != Some(AgentState::Waiting) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let after = rss_kib();
    println!(
        "{n} idle agents: {:.0} bytes each (RSS +{} KiB); spawned in {:.2?} ({:.0} spawns/s)",
        (after - before) as f64 * 1024.0 / n as f64,
        after - before,
        spawned,
        n as f64 / spawned.as_secs_f64()
    );
    rt.shutdown();
}
