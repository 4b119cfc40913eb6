//! Every script of the differential suite (`tests/tcl`), run in process
//! twice: straight through, and moved through a snapshot into a fresh
//! interpreter every few instructions. Output and outcome must be the same
//! (whatever they are: this does not compare with tclsh), and every
//! snapshot must restore and re-save to identical bytes.
//!
//! `ITIN_SNAPSHOT_EVERY=N` changes the migration interval (default 13).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use itinerant_tcl::interp::Output;
use itinerant_tcl::{snapshot, Interp, Outcome};

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<String>>);

impl Output for Shared {
    fn write(&mut self, channel: &str, text: &str) -> Result<(), String> {
        let mut s = self.0.lock().map_err(|e| e.to_string())?;
        if channel == "stderr" {
            s.push_str("[stderr]");
        }
        s.push_str(text);
        Ok(())
    }
}

/// Instruction budget per script run.
const LIMIT: u64 = 20_000_000;

fn run(script: &str, name: &str, every: Option<u64>) -> Result<(String, Outcome), String> {
    let out = Shared::default();
    let mut interp = Interp::new();
    interp.set_output(Box::new(out.clone()));
    interp.script_name = name.to_owned();
    interp.start(script, Some(name));
    let slice = every.unwrap_or(LIMIT);
    let mut used = 0;
    let outcome = loop {
        match interp.run(slice.min(LIMIT - used)) {
            Outcome::OutOfBudget => {
                used += slice.min(LIMIT - used);
                if used >= LIMIT {
                    break Outcome::OutOfBudget;
                }
                if every.is_some() {
                    let bytes = snapshot::save(&interp).map_err(|e| format!("save: {e}"))?;
                    let restored =
                        snapshot::restore(&bytes).map_err(|e| format!("restore after {used} instructions: {e}"))?;
                    let again = snapshot::save(&restored).map_err(|e| format!("re-save: {e}"))?;
                    if again != bytes {
                        return Err(format!("re-save after {used} instructions differs"));
                    }
                    interp = restored;
                    interp.set_output(Box::new(out.clone()));
                }
            }
            o => break o,
        }
    };
    let text = out.0.lock().map_err(|e| e.to_string())?.clone();
    Ok((text, outcome))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "tcl") {
            out.push(p);
        }
    }
}

#[test]
fn suite_scripts_survive_migration() {
    let every: u64 = std::env::var("ITIN_SNAPSHOT_EVERY").ok().and_then(|v| v.parse().ok()).unwrap_or(13);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tcl");
    let mut scripts = Vec::new();
    collect(&root, &mut scripts);
    let mut failures = Vec::new();
    let mut compared = 0;
    for path in &scripts {
        let Ok(script) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        // A script that panics the interpreter itself is a bug elsewhere,
        // not a snapshot matter: skip it.
        let plain = || std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&script, &name, None)));
        let (Ok(Ok(a)), Ok(Ok(b))) = (plain(), plain()) else {
            eprintln!("skipped (interpreter panics): {}", path.display());
            continue;
        };
        if a != b {
            // Time- or randomness-dependent output: nothing to compare.
            continue;
        }
        compared += 1;
        match run(&script, &name, Some(every)) {
            Ok(m) if m == a => {}
            Ok(m) => failures.push(format!(
                "{}: differs under migration\n--- plain\n{:?}\n--- migrated\n{:?}",
                path.display(),
                a,
                m
            )),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{} of {compared} scripts failed:\n{}", failures.len(), failures.join("\n\n"));
}

/// Writes seed inputs for the fuzz targets (see `crates/tcl/fuzz/README.md`)
/// when `ITIN_FUZZ_CORPUS=DIR` is set: `DIR/eval/` gets the suite scripts,
/// `DIR/snapshot_restore/` snapshots (without their checksum) of each
/// script stopped at a few points.
#[test]
#[ignore]
fn write_fuzz_corpus() {
    let Ok(dir) = std::env::var("ITIN_FUZZ_CORPUS") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let eval_dir = dir.join("eval");
    let snap_dir = dir.join("snapshot_restore");
    std::fs::create_dir_all(&eval_dir).expect("create corpus dir");
    std::fs::create_dir_all(&snap_dir).expect("create corpus dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tcl");
    let mut scripts = Vec::new();
    collect(&root, &mut scripts);
    for (i, path) in scripts.iter().enumerate() {
        let Ok(script) = std::fs::read_to_string(path) else {
            continue;
        };
        let _ = std::fs::write(eval_dir.join(format!("s{i:03}.tcl")), &script);
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut interp = Interp::new();
            interp.set_output(Box::new(Shared::default()));
            interp.start(&script, None);
            for (k, n) in [1u64, 30, 300, 3000].into_iter().enumerate() {
                if interp.run(n) != Outcome::OutOfBudget {
                    break;
                }
                if let Ok(bytes) = snapshot::save(&interp) {
                    if bytes.len() < 64 * 1024 {
                        let body = &bytes[..bytes.len() - 8];
                        let _ = std::fs::write(snap_dir.join(format!("s{i:03}-{k}")), body);
                    }
                }
            }
        }));
    }
}
