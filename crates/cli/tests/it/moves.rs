//! `itin agent migrate`, `itin node drain|undrain` and `itin nodes` against
//! two real `itin node start` processes on loopback. Every wait has a
//! deadline; the node processes are killed when the test ends or fails.

use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common;

const WAIT: Duration = Duration::from_secs(30);

/// A node process, killed on drop.
struct NodeProc {
    child: Child,
    addr: String,
}

impl NodeProc {
    fn start(name: &str, extra: &[&str]) -> NodeProc {
        let args = [&["--name", name, "--listen", "127.0.0.1:0", "--workers", "1"][..], extra].concat();
        let (child, lines) = common::start_node(&args);
        let mut node = NodeProc { child, addr: String::new() };
        let line = lines.recv_timeout(WAIT).expect("the node prints where it listens");
        let prefix = format!("node {name} listening on ");
        node.addr = line.strip_prefix(&prefix).unwrap_or_else(|| panic!("unexpected line {line:?}")).into();
        std::thread::spawn(move || while lines.recv().is_ok() {});
        node
    }

    fn itin(&self, args: &[&str]) -> (i32, String, String) {
        common::run_itin(args, Some(&self.addr), WAIT)
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.itin(args);
        assert_eq!(code, 0, "itin {args:?}: stdout {out:?} stderr {err:?}");
        out
    }

    /// Polls `itin ARGS --json` until `pred` holds.
    fn json_until(&self, args: &[&str], what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let out = self.ok(&[args, &["--json"]].concat());
            let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: no JSON ({e}): {out}"));
            if pred(&v) {
                return v;
            }
            assert!(Instant::now() < deadline, "never {what}: {v}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn result_until(&self, id: &str) -> Value {
        let info = self.json_until(&["agent", "info", id], "ended", |v| v["state"] == "deleted");
        info["result"].clone()
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn migrate_and_drain_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("itin-moves-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let beta = NodeProc::start("beta", &[]);
    let alpha = NodeProc::start("alpha", &["--peer", &format!("beta={}", beta.addr)]);

    // A looping agent moved by `itin agent migrate`, mid-loop.
    let looping =
        script("loop.tcl", "set n 0\nfor {set i 0} {$i < 3000000} {incr i} { incr n }\nlist $n $agent(node)\n");
    let id = alpha.ok(&["submit", &looping]).trim().to_owned();
    let out = alpha.ok(&["agent", "migrate", &id, "beta"]);
    assert_eq!(out.trim(), format!("agent {id} moved to beta"));
    assert_eq!(beta.result_until(&id), "3000000 beta");
    let (code, _, err) = alpha.itin(&["agent", "migrate", &id, "nowhere"]);
    assert_eq!(code, 1);
    assert!(err.contains("no agent"), "{err}");

    // A waiting agent moved by a drain; the drained node refuses submits.
    let waiting = script("wait.tcl", "agent_receive code body\nlist $body $agent(node)\n");
    let id = alpha.ok(&["submit", &waiting]).trim().to_owned();
    let out = alpha.ok(&["node", "drain", "--timeout", "20"]);
    assert!(out.contains("moved 1/1") && out.contains("drained"), "{out}");
    let (code, _, err) = alpha.itin(&["submit", &looping]);
    assert_eq!(code, 1);
    assert!(err.contains("node alpha is draining"), "{err}");
    let nodes = alpha.json_until(&["nodes"], "alpha draining", |v| v[0]["draining"] == true);
    assert_eq!(nodes[1]["name"], "beta");
    beta.json_until(&["nodes"], "beta sees alpha draining", |v| {
        v.as_array().unwrap().iter().any(|n| n["name"] == "alpha" && n["draining"] == true)
    });
    // Sent through alpha, it follows the agent to beta.
    alpha.ok(&["send", &id, "inform", "found"]);
    assert_eq!(beta.result_until(&id), "found beta");

    alpha.ok(&["node", "undrain"]);
    alpha.ok(&["submit", &looping]);
    let _ = std::fs::remove_dir_all(&dir);
}
