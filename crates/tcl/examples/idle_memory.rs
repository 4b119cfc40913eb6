//! Memory per idle interpreter: N interpreters, each blocked in a host
//! request inside a proc (as an agent blocked in `agent_receive`).
//! Usage: cargo run --release -p itinerant-tcl --example idle_memory -- N

use itinerant_tcl::interp::HostFn;
use itinerant_tcl::{HostRequest, HostResult, Interp, Outcome};

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
    let script = "proc serve {} { set n 0; while 1 { set m [wait]; incr n } }; serve";
    let before = rss_kib();
    let mut all = Vec::with_capacity(n);
    for _ in 0..n {
        let mut interp = Interp::new();
        let wait: HostFn = Box::new(|_, _| HostResult::Suspend(HostRequest { command: "wait".into(), args: vec![] }));
        interp.register_host("wait", wait);
        interp.start(script, None);
        assert!(matches!(interp.run(u64::MAX), Outcome::Request(_)));
        all.push(interp);
    }
    let after = rss_kib();
    println!(
        "{n} idle interpreters: {} KiB RSS, {:.0} bytes each",
        after - before,
        (after - before) as f64 * 1024.0 / n as f64
    );
}
