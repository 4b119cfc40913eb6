//! Shared by the tests that run `itin node start` (and client commands)
//! as separate processes. Not every test uses every helper.
//!
//! Nodes and clients run with real certificates: one cluster made by
//! `itin init` per test process (`certs`), each node certified the first
//! time it starts; a node started with `--insecure-loopback` (or its own
//! `--certs`) is left as it is.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// This test process's cluster: `itin init` once, in a fresh directory.
pub fn certs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Under the target directory: kept out of /tmp, cleaned with it.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("itin-certs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        init(&[dir.to_str().unwrap()]);
        dir
    })
}

/// Runs `itin init ARGS`, which must succeed.
pub fn init(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_itin")).arg("init").args(args).output().expect("run itin init");
    assert!(out.status.success(), "itin init {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Certifies node `name` in `certs()` unless it already is.
pub fn certify(name: &str) {
    static ISSUING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = ISSUING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = certs();
    if !dir.join("nodes").join(format!("{name}.pem")).exists() {
        init(&[dir.to_str().unwrap(), "--add-node", name]);
    }
}

/// `args` with `--certs` for the node they name, unless they choose
/// their transport themselves.
fn with_certs(args: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if args.iter().any(|a| *a == "--insecure-loopback" || *a == "--certs") {
        return all;
    }
    let name = args.iter().skip_while(|a| **a != "--name").nth(1).expect("the node's --name");
    certify(name);
    all.extend(["--certs".to_owned(), certs().to_str().unwrap().to_owned()]);
    all
}

/// Starts `itin node start ARGS`; its stdout lines arrive on the channel
/// (read by a thread of their own, so the node never blocks on the pipe).
pub fn start_node(args: &[&str]) -> (Child, mpsc::Receiver<String>) {
    spawn_node(args, Stdio::null())
}

/// `start_node`, with the node's stderr (its log) appended to `log`.
pub fn start_node_logged(args: &[&str], log: &Path) -> (Child, mpsc::Receiver<String>) {
    let file = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("open the node's log");
    spawn_node(args, Stdio::from(file))
}

fn spawn_node(args: &[&str], stderr: Stdio) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_itin"))
        .args(["node", "start"])
        .args(with_certs(args))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start itin node");
    let out = child.stdout.take().expect("piped stdout");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, lines)
}

/// Runs the `itin` binary (against the node at `node`, through ITIN_NODE,
/// with the credentials of `certs()` through ITIN_CERTS), killing it if it
/// takes longer than `wait`; exit code, stdout, stderr.
pub fn run_itin(args: &[&str], node: Option<&str>, wait: Duration) -> (i32, String, String) {
    run_itin_as(args, node, Some(certs()), wait)
}

/// `run_itin` with the credentials in `certs` (none: plain TCP).
pub fn run_itin_as(args: &[&str], node: Option<&str>, certs: Option<&Path>, wait: Duration) -> (i32, String, String) {
    run_itin_with(args, node, certs, &[], wait)
}

/// `run_itin_as` with more environment variables (`ITIN_KEY`...).
pub fn run_itin_with(
    args: &[&str],
    node: Option<&str>,
    certs: Option<&Path>,
    env: &[(&str, &str)],
    wait: Duration,
) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_itin"));
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for var in ["ITIN_NODE", "ITIN_CERTS", "ITIN_CLIENT", "ITIN_KEY"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    if let Some(addr) = node {
        cmd.env("ITIN_NODE", addr);
    }
    if let Some(dir) = certs {
        cmd.env("ITIN_CERTS", dir);
    }
    let mut child = cmd.spawn().expect("run itin");
    let pipe = |r: Option<Box<dyn Read + Send>>| {
        let mut r = r.expect("piped");
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = pipe(child.stdout.take().map(|o| Box::new(o) as Box<dyn Read + Send>));
    let err = pipe(child.stderr.take().map(|e| Box::new(e) as Box<dyn Read + Send>));
    let deadline = Instant::now() + wait;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for itin") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("itin {args:?} did not finish within {wait:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (status.code().unwrap_or(-1), out.join().unwrap(), err.join().unwrap())
}

/// The address in a node's first line ("node NAME listening on ADDR");
/// afterwards its lines are drained so the node never blocks on them.
pub fn listening(name: &str, lines: mpsc::Receiver<String>) -> String {
    let line = lines.recv_timeout(Duration::from_secs(30)).expect("the node prints where it listens");
    let addr = line.strip_prefix(&format!("node {name} listening on ")).expect("a listening line").to_owned();
    std::thread::spawn(move || while lines.recv().is_ok() {});
    addr
}

/// A node process, killed (by its id) when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
