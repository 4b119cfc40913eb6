//! Benchmark agents. `work=fib`: fib(`n`) by naive recursion (the same
//! algorithm as the Agent Tcl bench); `work=hops`: fills `memory` bytes,
//! then jumps between `a` and `b` `hops` times (`shared/hops.rs`). The export `fib` runs the
//! same recursion without the host, for the Asyncify overhead (plain vs
//! instrumented module, scripts/bench-wasm.sh).
use itinerant_guest as itin;

#[path = "shared/hops.rs"]
mod hops;

#[no_mangle]
pub extern "C" fn fib(n: u32) -> u64 {
    if n < 2 {
        n as u64
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

fn run() -> Result<String, String> {
    let num = |k: &str, d: u64| itin::param(k).and_then(|v| v.parse().ok()).unwrap_or(d);
    match itin::param("work").as_deref() {
        Some("fib") => Ok(fib(num("n", 25) as u32).to_string()),
        Some("hops") => hops::hops(num("memory", 64 << 10) as usize),
        other => Err(format!("no such work {other:?}")),
    }
}

itin::agent_main!(run);
