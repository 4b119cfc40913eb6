//! Agent runtime benchmarks (one process, one node). Prints one line per
//! measurement: `name value unit`. Usage:
//! cargo run --release -p itinerant-core --example bench_agents -- spawn|idle|oneway|pingpong N

use std::time::{Duration, Instant};

use itinerant_core::{AgentState, Runtime, RuntimeConfig};

// The same allocator as `itin` (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WAIT: Duration = Duration::from_secs(600);

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "spawn".into());
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut config = RuntimeConfig::for_node("alpha");
    // Every outcome is waited for after all spawns.
    config.ended_kept = n + 16;
    // Erlang mailboxes are unbounded; let the one-way burst fit in ours.
    config.quotas.mailbox_depth = n + 16;
    let rt = Runtime::new(config);
    match mode.as_str() {
        // Spawn N agents that end at once; time until all have ended.
        "spawn" => {
            let t = Instant::now();
            let ids: Vec<_> = (0..n).map(|_| rt.spawn("set x 1", None).expect("spawn")).collect();
            for id in &ids {
                rt.wait(id, WAIT).expect("ended");
            }
            println!("spawn_exit_rate {:.0} agents/s", n as f64 / t.elapsed().as_secs_f64());
        }
        // N agents blocked in receive: RSS growth per agent.
        "idle" => {
            let before = rss_kib();
            let mut last = None;
            for _ in 0..n {
                last = Some(rt.spawn("agent_receive c b", None).expect("spawn"));
            }
            let last = last.expect("n > 0");
            while rt.state(&last) != Some(AgentState::Waiting) {
                std::thread::sleep(Duration::from_millis(10));
            }
            println!("idle_agent_memory {:.0} bytes/agent", (rss_kib() - before) as f64 * 1024.0 / n as f64);
        }
        // One agent sends N messages to another, which counts them.
        "oneway" => {
            let rx = rt
                .spawn(&format!("for {{set i 0}} {{$i < {n}}} {{incr i}} {{ agent_receive c b }}; set i"), Some("rx"))
                .expect("spawn");
            let t = Instant::now();
            rt.spawn(&format!("for {{set i 0}} {{$i < {n}}} {{incr i}} {{ agent_send rx 0 x }}"), None).expect("spawn");
            rt.wait(&rx, WAIT).expect("received");
            println!("local_oneway_rate {:.0} messages/s", n as f64 / t.elapsed().as_secs_f64());
        }
        // N round trips between two agents.
        "pingpong" => {
            rt.spawn("while 1 { set from [agent_receive c b]; agent_send $from 0 $b }", Some("pong")).expect("spawn");
            let t = Instant::now();
            let ping = rt
                .spawn(
                    &format!("for {{set i 0}} {{$i < {n}}} {{incr i}} {{ agent_send pong 0 x; agent_receive c b }}"),
                    None,
                )
                .expect("spawn");
            rt.wait(&ping, WAIT).expect("done");
            println!("local_pingpong_rate {:.0} roundtrips/s", n as f64 / t.elapsed().as_secs_f64());
        }
        other => eprintln!("unknown mode {other}: spawn, idle, oneway or pingpong"),
    }
}
