//! Decodes arbitrary payloads as wire messages of every kind. Oracles: no
//! panic; an accepted message re-encodes to the same bytes (the encoding is
//! canonical) and an agent message converts to the runtime's types or
//! fails with an error; converted, it comes back to the same wire message
//! (its sequence number included).
#![no_main]

use itinerant_node::proto::{Wire, KIND_END};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, payload)) = data.split_first() else { return };
    if let Ok(w) = Wire::decode(kind % KIND_END, payload) {
        assert_eq!(w.encode(), payload);
        if let Ok((to, msg)) = w.clone().into_message() {
            assert_eq!(Wire::from_message(&to, &msg), w);
        }
    }
});
