//! Parses arbitrary bytes as a FIPA XML envelope (SC00085) and as an HTTP
//! MTP multipart body. Oracles: no panic; an accepted envelope prints to
//! XML that parses back to the same envelope.
#![no_main]

use itinerant_node::fipa::envelope::{parse_envelope, print_envelope};
use itinerant_node::fipa::multipart::parse_body;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_body("multipart/mixed; boundary=b", data);
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(env) = parse_envelope(text) {
        assert_eq!(parse_envelope(&print_envelope(&env)).unwrap(), env);
    }
});
