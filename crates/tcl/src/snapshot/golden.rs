//! Golden bytes: the snapshot format's byte order, pinned so that a change
//! shows here without an emulator of another architecture
//! (`docs/HETEROGENEOUS.md`). Every multi-byte field is either a LEB128
//! varint (integers zigzagged) or little-endian (the version, a double's
//! bits, the checksum); nothing depends on the machine's word size or
//! byte order.
//!
//! The whole-snapshot file `testdata/golden-snapshot.hex` changes with the
//! compiler's bytecode, not only with the format: after such a change,
//! `ITIN_BLESS=1 cargo test -p itinerant-tcl golden` writes it anew (and
//! the diff shows what changed); a change of the format itself also bumps
//! `FORMAT_VERSION` (and keeps a file of the old version, as
//! `testdata/golden-snapshot-v2.hex` and `golden-snapshot-v3-hosts.hex`,
//! which must go on restoring).

use super::*;
use crate::interp::Outcome;

fn value_bytes(v: &Value) -> Vec<u8> {
    let mut w = Writer::default();
    w.value(v);
    w.buf
}

#[test]
fn values_have_one_byte_order() {
    assert_eq!(value_bytes(&Value::Int(-42)), [V_INT, 0x53], "zigzag(-42) = 83");
    assert_eq!(value_bytes(&Value::Int(300)), [V_INT, 0xd8, 0x04], "zigzag(300) = 600, LEB128");
    assert_eq!(value_bytes(&Value::Int(i64::MIN)), [V_INT, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    // 0.1 is 0x3FB999999999999A: its bits little-endian, exactly.
    assert_eq!(value_bytes(&Value::Double(0.1)), [V_DOUBLE, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f]);
    assert_eq!(value_bytes(&Value::Double(-0.0)), [V_DOUBLE, 0, 0, 0, 0, 0, 0, 0, 0x80]);
    let subnormal = f64::from_bits(1);
    assert_eq!(value_bytes(&Value::Double(subnormal)), [V_DOUBLE, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(value_bytes(&Value::from("é✓")), [V_STR, 5, 0xc3, 0xa9, 0xe2, 0x9c, 0x93]);
    let list = Value::list(vec![Value::Int(1), Value::from("a")]);
    assert_eq!(value_bytes(&list), [V_LIST, 2, V_INT, 2, V_STR, 1, b'a']);
}

#[test]
fn the_header_is_magic_then_a_little_endian_version() {
    let mut interp = Interp::new();
    interp.start("set x 1", None);
    let bytes = save(&interp).expect("save");
    assert_eq!(&bytes[..4], b"ITSN");
    assert_eq!(bytes[4..6], FORMAT_VERSION.to_le_bytes());
    // The checksum closes the snapshot: XXH3-64 of everything before it,
    // little-endian (FNV-1a 64 up to version 2).
    let (body, sum) = bytes.split_at(bytes.len() - 8);
    assert_eq!(sum, xxhash_rust::xxh3::xxh3_64(body).to_le_bytes());
    assert_eq!(checksum(2, b"ITSN"), fnv1a64(b"ITSN"));
}

/// Stopped mid-computation: a big integer, doubles, a nested list and
/// dict, an array, unicode, procs and a call stack inside `catch`/`try`.
const GOLDEN_SCRIPT: &str = r#"
set big [expr {2**100 + 7}]
set d [expr {1.0 / 3}]
set l [list a [list b [list c 1.5]] "x y"]
set dict [dict create k [dict create n -9223372036854775808] u "héllo ✓"]
array set arr {one 1 two 2}
proc down {n} {
    if {$n == 0} {
        set s 0
        for {set i 0} {$i < 100} {incr i} { incr s $i }
        return $s
    }
    if {$n % 2} {
        catch {down [expr {$n - 1}]} r
        return $r
    }
    try { return [down [expr {$n - 1}]] } finally { incr ::finally }
}
set finally 0
puts "[down 6] $finally $big [format %.17g $d] [lindex $l 1 1 1] [dict get $dict k n] $arr(two) [dict get $dict u]"
"#;
const GOLDEN_OUTPUT: &str =
    "4950 3 1267650600228229401496703205383 0.33333333333333331 1.5 -9223372036854775808 2 héllo ✓\n";
/// Instructions run before the snapshot: in the loop at the bottom of
/// the calls.
const GOLDEN_STOP: u64 = 300;

fn golden_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/snapshot/testdata/golden-snapshot.hex")
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.chunks(32).map(|c| c.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n").collect()
}

fn from_hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
    digits.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap()).collect()
}

#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<String>>);

impl crate::interp::Output for Captured {
    fn write(&mut self, _channel: &str, text: &str) -> Result<(), String> {
        self.0.lock().map_err(|e| e.to_string())?.push_str(text);
        Ok(())
    }
}

fn run_to_end(mut interp: Interp) -> String {
    let out = Captured::default();
    interp.set_output(Box::new(out.clone()));
    let end = interp.run(1_000_000);
    assert!(matches!(end, Outcome::Finished(_)), "the golden script ends: {end:?}");
    let text = out.0.lock().unwrap().clone();
    text
}

#[test]
fn a_snapshot_taken_mid_computation_has_golden_bytes_and_resumes_from_them() {
    let mut interp = Interp::new();
    interp.start(GOLDEN_SCRIPT, None);
    assert!(matches!(interp.run(GOLDEN_STOP), Outcome::OutOfBudget), "stopped mid-computation");
    assert_eq!(interp.vars.frames.len(), 8, "stopped at the bottom of `down 6`: the global frame and seven calls");
    let bytes = save(&interp).expect("save");
    if std::env::var_os("ITIN_BLESS").is_some() {
        std::fs::write(golden_path(), to_hex(&bytes)).expect("write the golden file");
    }
    let golden = from_hex(&std::fs::read_to_string(golden_path()).expect("the golden file"));
    // Resuming from the committed bytes pins the decoder; from this
    // build's, the encoder.
    let resumed = restore(&golden).unwrap_or_else(|e| panic!("the golden snapshot no longer restores: {e}"));
    assert_eq!(run_to_end(resumed), GOLDEN_OUTPUT);
    assert!(
        bytes == golden,
        "the snapshot's bytes changed; if the format or the bytecode changed on purpose, run with ITIN_BLESS=1 \
         (and bump FORMAT_VERSION for a format change)"
    );
    assert_eq!(run_to_end(interp), GOLDEN_OUTPUT);
}

#[test]
fn a_version_2_snapshot_with_its_fnv_checksum_still_restores_and_resumes() {
    let path = golden_path().with_file_name("golden-snapshot-v2.hex");
    let old = from_hex(&std::fs::read_to_string(path).expect("the version 2 golden file"));
    assert_eq!(old[4..6], 2u16.to_le_bytes());
    let resumed = restore(&old).unwrap_or_else(|e| panic!("a version 2 snapshot no longer restores: {e}"));
    assert_eq!(run_to_end(resumed), GOLDEN_OUTPUT);
}

/// An embedder's shared host commands, `whoami` (from the context) and
/// `wait` (a request), for the version 3 file below.
fn shared_hosts() -> std::sync::Arc<HostCommands> {
    use crate::interp::HostResult;
    let mut t = HostCommands::new();
    t.add("whoami", |i, _| HostResult::Done(Value::from(i.context::<Who>().map_or("?", |w| w.0))));
    t.add("wait", |_, a| {
        HostResult::Suspend(HostRequest { command: "wait".into(), args: vec![a[1].as_str().into_owned()] })
    });
    std::sync::Arc::new(t)
}

/// The context `whoami` answers from.
struct Who(&'static str);

/// The script of the version 3 file: stopped on `wait 1`, after renaming
/// a shared host command.
const HOSTS_SCRIPT: &str =
    "set x [whoami]\nrename whoami me\nset y [wait 1]\nputs \"$x $y [me] [info commands whoami]\"";

/// Version 3 wrote the shared host commands an interpreter had as entries
/// of its command table; version 4 leaves them to the embedder, which
/// attaches its table again. A version 3 snapshot stopped on `wait 1`
/// after `rename whoami me` still restores (for the table or without it)
/// and resumes; saved again, it names only the interpreter's own changes.
#[test]
fn a_version_3_snapshot_naming_shared_host_commands_still_restores() {
    let path = golden_path().with_file_name("golden-snapshot-v3-hosts.hex");
    let old = from_hex(&std::fs::read_to_string(path).expect("the version 3 golden file"));
    assert_eq!(old[4..6], 3u16.to_le_bytes());
    let hosts = shared_hosts();
    // What this build saves at the same point.
    let mut fresh = Interp::new();
    fresh.set_host_commands(hosts.clone());
    fresh.set_context(Box::new(Who("a")));
    fresh.start(HOSTS_SCRIPT, None);
    assert!(matches!(fresh.run(1000), Outcome::Request(_)), "stopped on `wait 1`");
    let now = save(&fresh).expect("save");
    for for_the_table in [true, false] {
        let restored = if for_the_table { restore_with_hosts(&old, &hosts) } else { restore(&old) };
        let mut interp = restored.unwrap_or_else(|e| panic!("a version 3 snapshot no longer restores: {e}"));
        interp.set_host_commands(hosts.clone());
        interp.set_context(Box::new(Who("b")));
        let again = save(&interp).expect("save");
        assert_eq!(again, now, "the version 3 snapshot restores to the interpreter this build saves");
        let bare = restore(&again).expect("restore version 4");
        assert_eq!(bare.commands.own_changes(), 2, "`me` and the deleted `whoami`, not the shared `wait`");
        let mut attached = restore_with_hosts(&again, &hosts).expect("restore version 4 for the table");
        attached.set_host_commands(hosts.clone());
        assert_eq!(save(&attached).expect("save"), again, "canonical");
        interp.resume(Ok("answer".into())).expect("resume");
        assert_eq!(run_to_end(interp), "a answer b \n");
    }
}
