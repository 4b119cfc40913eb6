//! Decodes arbitrary bytes as a stored agent image. Oracles: no panic; an
//! accepted image survives encode/decode unchanged (its directory entries
//! are maps, so the bytes themselves need not be canonical).
#![no_main]

use itinerant_node::image;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(img) = image::decode(data) {
        assert_eq!(image::decode(&image::encode(&img)).as_ref(), Ok(&img));
    }
});
