//! The hostile agents of crates/node/tests/hostile.rs, in wasm; `kind`
//! chooses: `loop` (endless), `memory` (grows without end), `fork` (forks
//! without end), `recursion` (without end), `flood` (sends to `target`
//! without end), `huge` (one message of `bytes` to `target`).
use itinerant_guest as itin;

/// Recursion without end (opaque to the optimiser, so it stays recursion).
#[inline(never)]
fn deep(n: u64) -> u64 {
    let frame = std::hint::black_box([n; 8]);
    if std::hint::black_box(n == u64::MAX) {
        return 0;
    }
    std::hint::black_box(deep(n + 1)).wrapping_add(frame[(n % 8) as usize])
}

fn run() -> Result<String, String> {
    let kind = itin::param("kind").unwrap_or_default();
    let target = itin::param("target").unwrap_or_default();
    match kind.as_str() {
        "loop" => {
            let mut x = 0u64;
            loop {
                x = std::hint::black_box(x.wrapping_add(1));
            }
        }
        "memory" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 1 << 20]);
            }
        }
        "fork" => loop {
            itin::fork(&itin::node())?;
        },
        "recursion" => Ok(deep(0).to_string()),
        "flood" => {
            let mut n = 0u64;
            loop {
                itin::send(&target, 1, "flood")?;
                n += 1;
                std::hint::black_box(n);
            }
        }
        "huge" => {
            let bytes = itin::param("bytes").and_then(|b| b.parse().ok()).unwrap_or(64 << 20);
            itin::send(&target, 1, &"x".repeat(bytes))?;
            Ok("sent".into())
        }
        other => Err(format!("no such hostile agent \"{other}\"")),
    }
}

itin::agent_main!(run);
