//! A CPU-bound loop with no host call in it: `iterations` rounds of a
//! xorshift; the node preempts it at the loop's safe points, and a drain
//! moves it mid-loop. Result: `start=NODE end=NODE value=X`.
use itinerant_guest as itin;

fn spin(iterations: u64) -> u64 {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..iterations {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

fn run() -> Result<String, String> {
    let iterations = itin::param("iterations").and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let start = itin::node();
    if let Some(peer) = itin::param("ready") {
        itin::send(&peer, 1, "spinning")?;
    }
    let value = spin(iterations);
    Ok(format!("start={start} end={} value={value}", itin::node()))
}

itin::agent_main!(run);
