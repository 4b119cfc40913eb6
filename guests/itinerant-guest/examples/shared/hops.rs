//! `work=hops` of the benchmark agents (`bench`, `tiny`): fills `bytes`
//! bytes, jumps between the nodes `a` and `b` `hops` times, and answers
//! `BYTES CHECKSUM PAGES` (PAGES: its linear memory at the end, in 64 KiB
//! pages, the Asyncify buffer the node appends included).
use itinerant_guest as itin;

pub fn hops(bytes: usize) -> Result<String, String> {
    let data: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8 + 1).collect();
    let (a, b) = (itin::param("a").unwrap_or_default(), itin::param("b").unwrap_or_default());
    let hops: u64 = itin::param("hops").and_then(|v| v.parse().ok()).unwrap_or(10);
    for i in 0..hops {
        itin::jump(if i % 2 == 0 { &b } else { &a })?;
    }
    let check: u64 = data.iter().map(|v| *v as u64).sum();
    Ok(format!("{} {check} {}", data.len(), core::arch::wasm32::memory_size(0)))
}
