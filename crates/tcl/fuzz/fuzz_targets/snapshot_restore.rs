//! Restores arbitrary bytes as a snapshot.
//!
//! The input is a snapshot *without* its trailing 8-byte checksum: the
//! target appends the right checksum, so that mutations reach the decoder
//! and the validator instead of all dying at the checksum check. (Raw
//! inputs, checksum included, are tried as well.)
//!
//! Oracles: no panic, no unbounded allocation or time; an accepted snapshot
//! re-saves to exactly the same bytes (the encoding is canonical); the
//! restored interpreter runs 10,000 instructions without panicking, and the
//! state it reaches saves and restores again.

#![no_main]

use itinerant_tcl::snapshot;
use libfuzzer_sys::fuzz_target;

mod common;

fn check(bytes: &[u8]) {
    let Ok(mut interp) = snapshot::restore(bytes) else {
        return;
    };
    let again = snapshot::save(&interp).expect("a restored interpreter saves");
    assert!(again == bytes, "accepted snapshot is not canonical");
    interp.set_output(Box::new(common::Sink(0)));
    common::lower_limits(&mut interp);
    let _ = interp.run(10_000);
    let bytes = snapshot::save(&interp).expect("save after running");
    if let Err(e) = snapshot::restore(&bytes) {
        panic!("state reached by the VM does not restore: {e}");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut sealed = data.to_vec();
    // Sealed with the checksum of the version the input claims.
    let version = match data {
        [_, _, _, _, a, b, ..] => u16::from_le_bytes([*a, *b]),
        _ => snapshot::FORMAT_VERSION,
    };
    sealed.extend_from_slice(&snapshot::checksum(version, data).to_le_bytes());
    check(&sealed);
    check(data);
});
