//! Parses arbitrary bytes as a FIPA string ACL message (SC00070).
//! Oracles: no panic; an accepted message prints to text that parses back
//! to the same message.
#![no_main]

use itinerant_core::fipa_string::{parse_message, print_message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(m) = parse_message(text) {
        assert_eq!(parse_message(&print_message(&m)).unwrap(), m);
    }
});
