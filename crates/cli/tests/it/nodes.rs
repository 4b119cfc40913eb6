//! Two `itin node start` processes on loopback: an agent on alpha talks to
//! an agent on beta, which answers over the link it learned from alpha's
//! hello; SIGTERM stops both cleanly.

use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::Duration;

use crate::common;

const WAIT: Duration = Duration::from_secs(30);

/// A node process whose stdout lines arrive on a channel.
struct NodeProc {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl NodeProc {
    fn start(args: &[&str]) -> NodeProc {
        let (child, lines) = common::start_node(args);
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

/// The tick numbers an agent printed, and where the crash marker was.
fn ticks(lines: &[String]) -> (Vec<u32>, Option<usize>) {
    let mut ticks = Vec::new();
    let mut marker = None;
    for l in lines {
        if l.contains("resumed from a checkpoint after a crash") {
            marker = Some(ticks.len());
        } else if let Some(n) = l.strip_prefix("tick ") {
            ticks.push(n.parse().expect("tick number"));
        }
    }
    (ticks, marker)
}

fn ticking_agent(dir: &std::path::Path) -> std::path::PathBuf {
    let tcl = dir.join("tick.tcl");
    std::fs::write(&tcl, "set n 0\nwhile {$n < 40} { incr n; puts \"tick $n\"; after 50 }\nset n\n").unwrap();
    tcl
}

#[test]
fn agents_resume_after_a_clean_stop_exactly_where_they_were() {
    let dir = std::env::temp_dir().join(format!("itin-clean-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let tcl = ticking_agent(&dir);
    let data = dir.join("data");
    let (tcl, data) = (tcl.to_str().unwrap(), data.to_str().unwrap());
    // Without TLS: the store does not care how the node talks.
    let args = ["--name", "alpha", "--listen", "127.0.0.1:0", "--data", data, "--insecure-loopback"];
    let mut node = NodeProc::start(&[&args[..], &["--agent", tcl]].concat());
    node.expect("agent 1@alpha started");
    std::thread::sleep(Duration::from_millis(600));
    node.terminate();

    let mut node = NodeProc::start(&args);
    node.expect("agent 1@alpha resumed");
    node.expect("agent 1@alpha finished: 40");
    let (ticks, marker) = ticks(&node.seen);
    assert_eq!(marker, None);
    // Each tick once: the clean stop checkpointed the agent where it was.
    assert_eq!(ticks, (1..=40).collect::<Vec<_>>());
    node.terminate();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn agents_resume_from_their_last_checkpoint_after_sigkill() {
    let dir = std::env::temp_dir().join(format!("itin-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let tcl = ticking_agent(&dir);
    let data = dir.join("data");
    let (tcl, data) = (tcl.to_str().unwrap(), data.to_str().unwrap());
    let args = [
        "--name",
        "alpha",
        "--listen",
        "127.0.0.1:0",
        "--data",
        data,
        "--checkpoint-interval",
        "100",
        "--insecure-loopback",
    ];
    let mut node = NodeProc::start(&[&args[..], &["--agent", tcl]].concat());
    node.expect("agent 1@alpha started");
    std::thread::sleep(Duration::from_millis(700));
    let _ = node.child.kill();
    let _ = node.child.wait();

    let mut node = NodeProc::start(&args);
    node.expect("agent 1@alpha resumed");
    node.expect("agent 1@alpha finished: 40");
    let (ticks, marker) = ticks(&node.seen);
    let marker = marker.expect("the console marks the crash");
    // Before the crash it had got somewhere; after it, it went on from its
    // last checkpoint (a few ticks may repeat), not from the start.
    let before = &ticks[..marker];
    let after = &ticks[marker..];
    assert!(before.len() >= 3, "{ticks:?}");
    assert!(after[0] > 1 && after[0] <= before[before.len() - 1] + 1, "{ticks:?}");
    assert_eq!(after, (after[0]..=40).collect::<Vec<_>>());
    node.terminate();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn logs_are_json_lines_with_log_format_json_and_the_dashboard_url_is_printed() {
    let dir = std::env::temp_dir().join(format!("itin-jsonlog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("node.log");
    let data = dir.join("data");
    let args = ["--name", "jl", "--listen", "127.0.0.1:0", "--insecure-loopback", "--log-format", "json"];
    let (child, lines) = common::start_node_logged(&[&args[..], &["--data", data.to_str().unwrap()]].concat(), &log);
    let mut node = NodeProc { child, lines, seen: Vec::new() };
    let url = node.expect("dashboard http://127.0.0.1:");
    // The token in the URL is the one kept in the data directory.
    let token = std::fs::read_to_string(data.join("dashboard.token")).unwrap();
    assert!(url.ends_with(&format!("/?token={}", token.trim())), "{url}");
    node.terminate();
    let text = std::fs::read_to_string(&log).unwrap();
    let events: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}"))).collect();
    let dashboard = events.iter().find(|e| e["fields"]["message"].as_str().is_some_and(|m| m.contains("dashboard at")));
    let dashboard = dashboard.unwrap_or_else(|| panic!("no dashboard event in\n{text}"));
    assert_eq!(dashboard["fields"]["node"], "jl");
    assert_eq!(dashboard["level"], "INFO");
    std::fs::remove_dir_all(&dir).unwrap();
}
