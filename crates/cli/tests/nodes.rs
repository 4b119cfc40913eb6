//! Two `itin node start` processes on loopback: an agent on alpha talks to
//! an agent on beta, which answers over the link it learned from alpha's
//! hello; SIGTERM stops both cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// A node process whose stdout lines arrive on a channel.
struct NodeProc {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl NodeProc {
    fn start(args: &[&str]) -> NodeProc {
        let mut child = Command::new(env!("CARGO_BIN_EXE_itin"))
            .arg("node")
            .arg("start")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
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
        NodeProc { child, lines, seen: Vec::new() }
    }

    /// Waits for a line containing `needle`; returns it.
    fn expect(&mut self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if l.contains(needle) {
                        return l;
                    }
                }
                Err(_) => panic!("no line with {needle:?}; saw {:?}", self.seen),
            }
        }
    }

    fn terminate(mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        self.expect("stopping");
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "exit status {status}");
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn two_node_processes_talk() {
    let dir = std::env::temp_dir().join(format!("itin-nodes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let beta_tcl = dir.join("beta.tcl");
    std::fs::write(
        &beta_tcl,
        "set from [agent_receive c b]\nputs \"beta got $b from $from\"\nagent_send $from 0 \"pong $b\"\nset done 1\n",
    )
    .unwrap();
    let alpha_tcl = dir.join("alpha.tcl");
    std::fs::write(&alpha_tcl, "agent_send 1@beta 0 ping\nagent_receive c b\nset b\n").unwrap();

    let mut beta = NodeProc::start(&[
        "--name",
        "beta",
        "--listen",
        "127.0.0.1:0",
        "--workers",
        "1",
        "--agent",
        beta_tcl.to_str().unwrap(),
    ]);
    let line = beta.expect("node beta listening on ");
    let beta_addr = line.rsplit(' ').next().unwrap().to_owned();
    let mut alpha = NodeProc::start(&[
        "--name",
        "alpha",
        "--listen",
        "127.0.0.1:0",
        "--workers",
        "1",
        "--peer",
        &format!("beta={beta_addr}"),
        "--agent",
        alpha_tcl.to_str().unwrap(),
    ]);
    assert!(alpha.expect("agent 1@alpha finished").ends_with("finished: pong ping"));
    assert!(beta.expect("beta got").contains("beta got ping from 1@alpha"));
    beta.expect("agent 1@beta finished: 1");
    alpha.terminate();
    beta.terminate();
    let _ = std::fs::remove_dir_all(&dir);
}
