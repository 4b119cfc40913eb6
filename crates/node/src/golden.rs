//! Golden bytes for the node's formats (the agent image, the wire
//! messages): the committed `testdata/NAME.hex` is what the encoder must
//! produce and what the decoder must read, so that a change of byte order
//! or layout shows without an emulator of another architecture
//! (`docs/HETEROGENEOUS.md`). A deliberate format change (with its version
//! bumped) rewrites the files: `ITIN_BLESS=1 cargo test -p itinerant-node golden`.

use std::path::PathBuf;

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/testdata").join(format!("{name}.hex"))
}

/// The committed bytes of `name`; with `ITIN_BLESS` set, `fresh` first
/// replaces them.
pub fn committed(name: &str, fresh: &[u8]) -> Vec<u8> {
    if std::env::var_os("ITIN_BLESS").is_some() {
        let hex: String =
            fresh.chunks(32).map(|c| c.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n").collect();
        std::fs::write(path(name), hex).expect("write the golden file");
    }
    read(name)
}

/// The committed bytes of `name`, never rewritten: those of a format's
/// earlier version, which must still read.
pub fn read(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(path(name)).unwrap_or_else(|e| panic!("golden file {name}: {e}"));
    let digits: Vec<u8> = text.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
    digits.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap_or(""), 16).unwrap_or(0)).collect()
}

/// Asserts that `fresh` are the committed bytes of `name`.
pub fn assert_golden(name: &str, fresh: &[u8]) {
    let golden = committed(name, fresh);
    assert!(
        golden == fresh,
        "the bytes of {name} changed; if the format changed on purpose (with its version), run with ITIN_BLESS=1"
    );
}
