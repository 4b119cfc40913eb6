//! Interprets arbitrary bytes as a UTF-8 script, with no host commands,
//! lowered size limits and a budget of 100,000 instructions, moving the VM
//! through a snapshot every 4,999 instructions.
//!
//! Oracles: no panic, no unbounded allocation or time; every state the VM
//! stops in saves, restores, and re-saves to the same bytes.

#![no_main]

use itinerant_tcl::{snapshot, Interp, Outcome};
use libfuzzer_sys::fuzz_target;

mod common;

const BUDGET: u64 = 100_000;
const SLICE: u64 = 4_999;

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else {
        return;
    };
    let mut interp = Interp::new();
    common::lower_limits(&mut interp);
    interp.set_output(Box::new(common::Sink(0)));
    interp.start(script, None);
    let mut left = BUDGET;
    while left > 0 {
        let slice = SLICE.min(left);
        match interp.run(slice) {
            Outcome::OutOfBudget => {
                left -= slice;
                let bytes = snapshot::save(&interp).expect("save");
                let restored = match snapshot::restore(&bytes) {
                    Ok(r) => r,
                    Err(e) => panic!("a live state does not restore: {e}"),
                };
                let again = snapshot::save(&restored).expect("re-save");
                assert!(again == bytes, "re-saved snapshot differs");
                interp = restored;
                interp.set_output(Box::new(common::Sink(0)));
            }
            _ => break,
        }
    }
});
