//! Differential test suite: runs every `tests/tcl/**/NAME.tcl` script through
//! `itin tcl NAME.tcl` and compares standard output, standard error and the
//! exit code with the goldens recorded from the reference `tclsh` 8.6.13
//! (`NAME.out`, `NAME.err`, `NAME.code`; see `tests/tcl/README.md` and
//! `scripts/record-golden.sh`).
//!
//! Each script runs with its own directory as the working directory and only
//! its basename on the command line, exactly as the goldens were recorded, so
//! messages that mention the file name are stable.
//!
//! Environment:
//! * `ITIN_SUITE_FILTER=substring` runs only the scripts whose path relative
//!   to `tests/tcl` contains the substring (e.g. `list/` or `lsort`).
//!
//! Every failure is collected and reported at the end (with the first
//! differing line of each stream) before the test panics.

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// Wall-clock limit for one script.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Per-script time limit under `--migrate-every`: moving the whole VM through
/// bytes after every instruction makes a script cost O(state) per
/// instruction, so the heaviest scripts take ~20 s at N = 1.
const MIGRATION_TIMEOUT: Duration = Duration::from_secs(90);
/// Number of scripts run at the same time.
const JOBS: usize = 2;
/// Values of `--migrate-every N` exercised by `suite_with_migration`.
const MIGRATE_EVERY: [u64; 3] = [1, 7, 1000];
/// Name of the environment variable that selects a subset of the scripts.
const FILTER_VAR: &str = "ITIN_SUITE_FILTER";

fn suite_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tcl")
}

/// All `.tcl` files below `dir`, sorted, recursively.
fn collect_scripts(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => panic!("cannot read suite directory {}: {e}", dir.display()),
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_scripts(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "tcl") {
            out.push(path);
        }
    }
}

/// The scripts to run, as (path relative to the suite root, absolute path).
fn selected_scripts() -> Vec<(String, PathBuf)> {
    let root = suite_root();
    let mut all = Vec::new();
    collect_scripts(&root, &mut all);
    assert!(!all.is_empty(), "no .tcl scripts found under {}", root.display());
    let filter = std::env::var(FILTER_VAR).ok().filter(|f| !f.is_empty());
    let selected: Vec<(String, PathBuf)> = all
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            (rel, p)
        })
        .filter(|(rel, _)| match &filter {
            Some(f) => rel.contains(f.as_str()),
            None => true,
        })
        .collect();
    if let Some(f) = &filter {
        assert!(!selected.is_empty(), "{FILTER_VAR}={f:?} matched no script");
    }
    selected
}

/// What one run of a script produced.
struct Outcome {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// Exit code, or a description of why there is none.
    code: Result<i32, String>,
}

fn spawn_reader<R: Read + Send + 'static>(mut r: R) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

/// Waits for `child` up to `limit`; kills it when the time is up.
fn wait_with_timeout(child: &mut Child, limit: Duration) -> Result<ExitStatus, String> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) => {}
            Err(e) => return Err(format!("wait failed: {e}")),
        }
        if start.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {} s (killed)", limit.as_secs()));
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

fn run_script(script: &Path, extra_args: &[String]) -> Outcome {
    let dir = script.parent().expect("script has a parent directory");
    let base = script.file_name().expect("script has a file name");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_itin"));
    cmd.arg("tcl")
        .args(extra_args)
        .arg(base)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Outcome { stdout: Vec::new(), stderr: Vec::new(), code: Err(format!("could not start itin: {e}")) }
        }
    };
    let out_reader = spawn_reader(child.stdout.take().expect("piped stdout"));
    let err_reader = spawn_reader(child.stderr.take().expect("piped stderr"));
    let limit = if extra_args.is_empty() { TIMEOUT } else { MIGRATION_TIMEOUT };
    let status = wait_with_timeout(&mut child, limit);
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let code = status.and_then(|s| s.code().ok_or_else(|| format!("terminated by a signal ({s})")));
    Outcome { stdout, stderr, code }
}

fn read_golden(script: &Path, ext: &str) -> Result<Vec<u8>, String> {
    let path = script.with_extension(ext);
    fs::read(&path).map_err(|e| format!("missing golden {}: {e}", path.display()))
}

/// Describes the first line where `actual` and `expected` differ.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let exp = String::from_utf8_lossy(expected);
    let act = String::from_utf8_lossy(actual);
    let mut e_lines = exp.split_inclusive('\n');
    let mut a_lines = act.split_inclusive('\n');
    let mut line = 1usize;
    loop {
        match (e_lines.next(), a_lines.next()) {
            (None, None) => return "identical text, different bytes".to_string(),
            (Some(e), Some(a)) if e == a => {}
            (e, a) => {
                let show = |l: Option<&str>| match l {
                    Some(l) => format!("{l:?}"),
                    None => "<end of output>".to_string(),
                };
                return format!("line {line}: expected {}, got {}", show(e), show(a));
            }
        }
        line += 1;
    }
}

/// Compares one run with the goldens; `None` when everything matches.
fn check_script(script: &Path, extra_args: &[String]) -> Option<String> {
    // A documented, reviewed difference from tclsh (see tests/tcl/README.md,
    // "Known differences") has its expected stdout in NAME.itin.out.
    let out_ext = if script.with_extension("itin.out").exists() { "itin.out" } else { "out" };
    let (exp_out, exp_err, exp_code) =
        match (read_golden(script, out_ext), read_golden(script, "err"), read_golden(script, "code")) {
            (Ok(o), Ok(e), Ok(c)) => (o, e, c),
            (o, e, c) => {
                let msgs: Vec<String> = [o.err(), e.err(), c.err()].into_iter().flatten().collect();
                return Some(msgs.join("; "));
            }
        };
    let exp_code_text = String::from_utf8_lossy(&exp_code).trim().to_string();
    let exp_code: i32 = match exp_code_text.parse() {
        Ok(c) => c,
        Err(_) => return Some(format!("bad golden exit code {exp_code_text:?}")),
    };

    let outcome = run_script(script, extra_args);
    let mut problems = Vec::new();
    match &outcome.code {
        Ok(c) if *c == exp_code => {}
        Ok(c) => problems.push(format!("exit code: expected {exp_code}, got {c}")),
        Err(why) => problems.push(format!("exit code: expected {exp_code}, {why}")),
    }
    if outcome.stdout != exp_out {
        problems.push(format!("stdout {}", first_difference(&exp_out, &outcome.stdout)));
    }
    if outcome.stderr != exp_err {
        problems.push(format!("stderr {}", first_difference(&exp_err, &outcome.stderr)));
    }
    if problems.is_empty() {
        None
    } else {
        Some(problems.join("\n      "))
    }
}

/// Runs every selected script with `itin tcl EXTRA_ARGS... NAME.tcl` on
/// `JOBS` threads and returns (number run, failures as (script, report)).
fn run_suite(extra_args: &[String]) -> (usize, Vec<(String, String)>) {
    let scripts = selected_scripts();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    thread::scope(|s| {
        for _ in 0..JOBS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((rel, path)) = scripts.get(i) else {
                    break;
                };
                if let Some(report) = check_script(path, extra_args) {
                    failures.lock().unwrap().push((rel.clone(), report));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    (scripts.len(), failures)
}

/// Runs the suite once per argument set and panics with a full report if any
/// script failed in any of them.
fn run_and_report(label: &str, arg_sets: &[Vec<String>]) {
    let mut report = String::new();
    let mut total_failed = 0usize;
    let mut total_run = 0usize;
    for args in arg_sets {
        let shown = if args.is_empty() { "itin tcl".to_string() } else { format!("itin tcl {}", args.join(" ")) };
        let (run, failures) = run_suite(args);
        total_run += run;
        total_failed += failures.len();
        eprintln!("{label}: [{shown}] {} passed, {} failed", run - failures.len(), failures.len());
        if !failures.is_empty() {
            let _ = writeln!(report, "\n[{shown}] {} of {run} scripts failed:", failures.len());
            for (rel, why) in &failures {
                let _ = writeln!(report, "  {rel}\n      {why}");
            }
        }
    }
    if total_failed > 0 {
        panic!(
            "{label}: {total_failed} of {total_run} script runs failed{report}\n\
             (set {FILTER_VAR}=substring to run a subset)"
        );
    }
}

#[test]
fn suite_matches_tclsh() {
    run_and_report("differential", &[Vec::new()]);
}

#[test]
fn suite_with_migration() {
    let arg_sets: Vec<Vec<String>> =
        MIGRATE_EVERY.iter().map(|n| vec!["--migrate-every".to_string(), n.to_string()]).collect();
    run_and_report("differential-migrate", &arg_sets);
}
