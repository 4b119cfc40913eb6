//! `itin adapter`, `itin object` and `itin call` against real node
//! processes, and a persistent adapter's state after SIGKILL; a front
//! (`--front`) handing clients to back ends under mutual TLS, `itin front`
//! and a client's cache (`itin call --repeat --cache --stats`).

use std::process::Child;
use std::time::Duration;

use crate::common;

const WAIT: Duration = Duration::from_secs(30);

/// A node process, killed (SIGKILL) on drop.
struct NodeProc {
    child: Child,
    addr: String,
}

impl NodeProc {
    fn start(name: &str, data: &std::path::Path) -> NodeProc {
        NodeProc::start_with(name, &["--data", data.to_str().unwrap()])
    }

    fn start_with(name: &str, more: &[&str]) -> NodeProc {
        let mut args = vec!["--name", name, "--listen", "127.0.0.1:0", "--workers", "1"];
        args.extend_from_slice(more);
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

#[test]
fn a_front_hands_clients_to_back_ends_under_tls_and_drops_a_dead_one() {
    let dir = std::env::temp_dir().join(format!("itin-front-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut backs = Vec::new();
    for name in ["fb1", "fb2"] {
        let b = NodeProc::start_with(name, &[]);
        b.ok(&["adapter", "create", "svc", "caching=strict:5000"]);
        let script = dir.join(format!("{name}.tcl"));
        std::fs::write(&script, format!("set readonly {{who}}\nproc who {{}} {{ return {name} }}\n")).unwrap();
        b.ok(&["object", "add", "svc", "x", script.to_str().unwrap()]);
        backs.push(b);
    }
    let file = dir.join("front.toml");
    let text = "[[service]]\nadapter = \"svc\"\nbackends = [\"fb1\", \"fb2\"]\nmode = \"handoff\"\nprobe_ms = 50\nprobe_timeout_ms = 300\n";
    std::fs::write(&file, text).unwrap();
    let (p1, p2) = (format!("fb1={}", backs[0].addr), format!("fb2={}", backs[1].addr));
    let front = NodeProc::start_with("ff", &["--peer", &p1, "--peer", &p2, "--front", file.to_str().unwrap()]);
    // Each `itin call --repeat` is a client of its own: handed off (round
    // robin), then its calls go to its back end over mutual TLS, the
    // repeated read from its cache.
    let mut served = Vec::new();
    for _ in 0..2 {
        let out = front.ok(&["call", "itin://ff/svc/x", "who", "--repeat", "10", "--cache", "--stats"]);
        let mut lines = out.lines();
        served.push(lines.next().unwrap().to_owned());
        let stats = lines.next().unwrap();
        assert!(stats.starts_with("cache: 1 entries, 9 hits"), "{stats}");
    }
    served.sort();
    assert_eq!(served, ["fb1", "fb2"]);
    let table = front.ok(&["front", "--json"]);
    assert!(table.contains("\"mode\": \"handoff\"") && table.contains("\"dispatched\": 1"), "{table}");
    // fb1 dies: taken out, every client goes to fb2 (plain `itin call` is
    // relayed, `--repeat` handed off).
    drop(backs.remove(0));
    let deadline = std::time::Instant::now() + WAIT;
    while !front.ok(&["front"]).lines().any(|l| l.contains("fb1") && l.contains("down")) {
        assert!(std::time::Instant::now() < deadline, "fb1 not taken out");
        std::thread::sleep(Duration::from_millis(50));
    }
    for _ in 0..3 {
        assert_eq!(front.ok(&["call", "itin://ff/svc/x", "who", "--repeat", "1"]), "fb2");
        assert_eq!(front.ok(&["call", "itin://ff/svc/x", "who"]), "fb2");
    }
    assert!(front.ok(&["cache"]).starts_with("agents' cache: 0 entries"));
    drop(front);
    let _ = std::fs::remove_dir_all(&dir);
}
