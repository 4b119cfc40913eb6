//! Feeds arbitrary bytes, in chunks chosen by the input, to the frame
//! decoder. Oracles: no panic, bounded buffering, and every frame decoded
//! re-encodes to the bytes it came from.
#![no_main]

use itinerant_node::net::frame::{FrameDecoder, HEADER_LEN};
use libfuzzer_sys::fuzz_target;

const LIMIT: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, bytes)) = data.split_first() else { return };
    let chunk = (cut as usize % 64) + 1;
    let mut d = FrameDecoder::new(LIMIT);
    let mut consumed = Vec::new();
    for c in bytes.chunks(chunk) {
        match d.push(c) {
            Ok(frames) => {
                for f in frames {
                    consumed.extend(f.encode());
                }
                assert!(d.buffered() <= HEADER_LEN + LIMIT + chunk);
            }
            Err(_) => return,
        }
    }
    // What was decoded is exactly a prefix of the input.
    assert_eq!(&bytes[..consumed.len()], &consumed[..]);
    let _ = d.finish();
});
