//! The guest agents committed as fixtures (guests/fixtures/*.wasm) match
//! their sources: every source file has the hash recorded when they were
//! built (guests/fixtures/SOURCES, by scripts/build-guests.sh), and, when
//! the recorded rustc and the wasm32 target are here, a rebuild gives the
//! same bytes. Each fixture also instruments and compiles.

use std::path::{Path, PathBuf};
use std::process::Command;

fn guests() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests")
}

fn sha256_hex(bytes: &[u8]) -> String {
    itinerant_wasm::content_hash(bytes)
}

/// Source files as the script lists them.
fn source_files(dir: &Path, rel: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
        if entry.file_type().unwrap().is_dir() {
            if rel.is_empty() && (name == "target" || name == "fixtures") {
                continue;
            }
            source_files(&entry.path(), &path, out);
        } else if name.ends_with(".rs") || name.ends_with(".toml") || name == "Cargo.lock" {
            out.push(path);
        }
    }
}

fn recorded() -> (String, Vec<(String, String)>) {
    let text = std::fs::read_to_string(guests().join("fixtures/SOURCES")).unwrap();
    let mut lines = text.lines();
    let rustc = lines.next().unwrap().strip_prefix("rustc ").unwrap().to_owned();
    let files = lines
        .map(|l| {
            let (hash, path) = l.split_once("  ").unwrap();
            (path.to_owned(), hash.to_owned())
        })
        .collect();
    (rustc, files)
}

#[test]
fn fixtures_match_their_sources() {
    let (rustc, files) = recorded();
    let mut now = Vec::new();
    source_files(&guests(), "", &mut now);
    now.sort();
    let listed: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(
        listed, now,
        "guest sources added or removed since the fixtures were built: run scripts/build-guests.sh"
    );
    for (path, hash) in &files {
        let bytes = std::fs::read(guests().join(path)).unwrap();
        assert_eq!(
            &sha256_hex(&bytes),
            hash,
            "{path} changed since the fixtures were built: run scripts/build-guests.sh"
        );
    }
    let here = Command::new("rustc").arg("-V").output().map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    let here = here.unwrap_or_default();
    let has_target = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if !has_target || here.trim().strip_prefix("rustc ") != Some(rustc.as_str()) {
        eprintln!(
            "skipped the rebuild: needs the wasm32-unknown-unknown target and rustc {rustc} (here: {}, target {})",
            here.trim(),
            if has_target { "present" } else { "absent" }
        );
        return;
    }
    let target = std::env::temp_dir().join(format!("itin-guests-{}", std::process::id()));
    let status = Command::new("bash")
        .arg(guests().join("../scripts/build-guests.sh"))
        .arg("--check")
        .env("TARGET_DIR", &target)
        .status()
        .unwrap();
    assert!(status.success(), "the guests do not build");
    // Modules are the files directly in examples/ (shared/ holds code
    // they include).
    let examples =
        files.iter().filter(|(p, _)| p.strip_prefix("itinerant-guest/examples/").is_some_and(|n| !n.contains('/')));
    for (path, _) in examples {
        let name = Path::new(path).file_stem().unwrap().to_string_lossy().into_owned();
        let built = std::fs::read(target.join(format!("wasm32-unknown-unknown/release/examples/{name}.wasm"))).unwrap();
        let fixture = std::fs::read(guests().join(format!("fixtures/{name}.wasm"))).unwrap();
        assert!(built == fixture, "guests/fixtures/{name}.wasm differs from a rebuild of its sources");
    }
    let _ = std::fs::remove_dir_all(&target);
}

#[test]
fn every_fixture_instruments_and_compiles() {
    for entry in std::fs::read_dir(guests().join("fixtures")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let module = std::fs::read(&path).unwrap();
            let instrumented =
                itinerant_wasm::instrument(&module).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            itinerant_wasm::program::compile(&instrumented).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}
