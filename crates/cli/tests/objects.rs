//! `itin adapter`, `itin object` and `itin call` against real node
//! processes, and a persistent adapter's state after SIGKILL.

use std::process::Child;
use std::time::Duration;

mod common;

const WAIT: Duration = Duration::from_secs(30);

/// A node process, killed (SIGKILL) on drop.
struct NodeProc {
    child: Child,
    addr: String,
}

impl NodeProc {
    fn start(name: &str, data: &std::path::Path) -> NodeProc {
        let args = ["--name", name, "--listen", "127.0.0.1:0", "--workers", "1", "--data", data.to_str().unwrap()];
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
        out.trim_end().to_owned()
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn persistent_objects_keep_their_state_after_sigkill() {
    let dir = std::env::temp_dir().join(format!("itin-objects-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("counter.tcl");
    std::fs::write(&script, "set n 0\nproc add {k} { global n; incr n $k }\nproc get {} { global n; set n }\n")
        .unwrap();
    let script = script.to_str().unwrap();
    let data = dir.join("data");

    let node = NodeProc::start("p", &data);
    node.ok(&["adapter", "create", "bank", "threading=per-object", "lifespan=persistent"]);
    node.ok(&["adapter", "create", "lazy", "lifespan=persistent", "activation=on-demand", "idle-ms=100"]);
    node.ok(&["adapter", "create", "temp"]);
    node.ok(&["adapter", "create", "fsm", "organisation=event", "lifespan=persistent"]);
    assert_eq!(node.ok(&["object", "add", "bank", "acct", script]), "itin://p/bank/acct");
    node.ok(&["object", "add", "lazy", "acct", script]);
    node.ok(&["object", "add", "temp", "acct", script]);
    node.ok(&["object", "add", "fsm", "acct", script]);
    for adapter in ["bank", "lazy", "temp", "fsm"] {
        let target = format!("itin://p/{adapter}/acct");
        assert_eq!(node.ok(&["call", &target, "add", "5"]), "5");
        assert_eq!(node.ok(&["call", &target, "add", "2"]), "7");
    }
    let listed = node.ok(&["adapter", "list"]);
    assert!(listed.contains("lifespan=persistent activation=on-demand idle-ms=100"), "{listed}");
    assert!(listed.contains("lifespan=persistent activation=eager organisation=event"), "{listed}");
    // Errors are errors, with exit code 1.
    let (code, _, err) = node.itin(&["call", "itin://p/bank/acct", "nosuch"]);
    assert_eq!((code, err.trim()), (1, "itin: no method \"nosuch\""));
    let (code, _, err) = node.itin(&["call", "itin://p/bank/none", "get"]);
    assert!(code == 1 && err.contains("no object \"none\""), "{err}");
    let (code, _, err) = node.itin(&["adapter", "create", "bad", "threading=sometimes"]);
    assert!(code == 1 && err.contains("bad threading"), "{err}");

    drop(node); // SIGKILL
    let node = NodeProc::start("p", &data);
    assert_eq!(node.ok(&["call", "itin://p/bank/acct", "get"]), "7");
    assert_eq!(node.ok(&["call", "itin://p/fsm/acct", "add", "3"]), "10");
    assert_eq!(node.ok(&["call", "itin://p/lazy/acct", "add", "1"]), "8");
    let (code, _, err) = node.itin(&["call", "itin://p/temp/acct", "get"]);
    assert!(code == 1 && err.contains("no adapter \"temp\""), "transient adapters are gone: {err}");
    let objects = node.ok(&["object", "list", "--json"]);
    assert!(objects.contains("itin://p/bank/acct") && objects.contains("itin://p/lazy/acct"), "{objects}");
    node.ok(&["object", "remove", "bank", "acct"]);
    node.ok(&["adapter", "remove", "lazy"]);
    node.ok(&["adapter", "remove", "fsm"]);
    drop(node);
    let node = NodeProc::start("p", &data);
    assert_eq!(node.ok(&["object", "list"]).lines().count(), 1, "removals are durable too");
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}
