//! Shared by the tests that run `itin node start` (and client commands)
//! as separate processes. Not every test uses every helper.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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
        .args(args)
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

/// Runs the `itin` binary (against the node at `node`, through ITIN_NODE),
/// killing it if it takes longer than `wait`; exit code, stdout, stderr.
#[allow(dead_code)] // not every test binary runs client commands
pub fn run_itin(args: &[&str], node: Option<&str>, wait: Duration) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_itin"));
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).env_remove("ITIN_NODE");
    if let Some(addr) = node {
        cmd.env("ITIN_NODE", addr);
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
