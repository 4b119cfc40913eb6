//! Decodes arbitrary payloads as control-protocol frames: client hello,
//! request and response (every tag, library publish and list included).
//! Oracles: no panic; an accepted payload re-encodes to the same bytes
//! (the encoding is canonical).
#![no_main]

use itinerant_node::control::{ClientHello, Request, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, payload)) = data.split_first() else { return };
    match which % 3 {
        0 => {
            if let Ok(r) = Request::decode(payload) {
                assert_eq!(r.encode(), payload);
            }
        }
        1 => {
            if let Ok(r) = Response::decode(payload) {
                assert_eq!(r.encode(), payload);
            }
        }
        _ => {
            if let Ok(h) = ClientHello::decode(payload) {
                assert_eq!(h.encode(), payload);
            }
        }
    }
});
