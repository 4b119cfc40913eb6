//! Benchmark agents. `work=fib`: fib(`n`) by naive recursion (the same
//! algorithm as the Agent Tcl bench); `work=hops`: fills `memory` bytes,
//! then jumps between `a` and `b` `hops` times, and answers `BYTES CHECKSUM
//! PAGES` (PAGES: its linear memory at the end, in 64 KiB pages, the
//! Asyncify buffer the node appends included). The export `fib` runs the
//! same recursion without the host, for the Asyncify overhead (plain vs
//! instrumented module, scripts/bench-wasm.sh).
use itinerant_guest as itin;

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
        Some("hops") => {
            let bytes = num("memory", 64 << 10) as usize;
            let data: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8 + 1).collect();
            let (a, b) = (itin::param("a").unwrap_or_default(), itin::param("b").unwrap_or_default());
            for i in 0..num("hops", 10) {
                itin::jump(if i % 2 == 0 { &b } else { &a })?;
            }
            let check: u64 = data.iter().map(|v| *v as u64).sum();
            Ok(format!("{} {check} {}", data.len(), core::arch::wasm32::memory_size(0)))
        }
        other => Err(format!("no such work {other:?}")),
    }
}

itin::agent_main!(run);
