//! The heterogeneous tour (`scripts/hetero/tour.tcl`) on three x86_64 node
//! processes under mutual TLS: what `scripts/hetero-tour.sh` runs across
//! x86_64, aarch64 and s390x under emulation, checked on every CI run
//! without the emulators (the byte order itself is pinned by the golden
//! tests of the snapshot, image and frame formats).

use std::process::Child;
use std::time::{Duration, Instant};

use crate::common;

const WAIT: Duration = Duration::from_secs(60);

struct Nodes(Vec<Child>, Vec<std::path::PathBuf>);

impl Drop for Nodes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
        for d in &self.1 {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

#[test]
fn the_tour_carries_every_kind_of_state_and_a_clone_reports_back() {
    let mut nodes = Nodes(Vec::new(), Vec::new());
    let mut start = |name: &str, peers: &[String]| {
        let data = std::env::temp_dir().join(format!("itin-tour-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let mut args =
            vec!["--name", name, "--listen", "127.0.0.1:0", "--workers", "2", "--data", data.to_str().unwrap()];
        for p in peers {
            args.extend(["--peer", p.as_str()]);
        }
        let (child, lines) = common::start_node(&args);
        nodes.0.push(child);
        nodes.1.push(data);
        common::listening(name, lines)
    };
    let x86 = start("x86", &[]);
    let arm = start("arm", &[format!("x86={x86}")]);
    let s390 = start("s390", &[format!("x86={x86}"), format!("arm={arm}")]);
    // Every node knows the two others before the agent leaves.
    let deadline = Instant::now() + WAIT;
    for at in [&x86, &arm, &s390] {
        loop {
            let (_, out, _) = common::run_itin(&["nodes", "--json"], Some(at), WAIT);
            if out.matches("\"link\": \"connected\"").count() >= 2 {
                break;
            }
            assert!(Instant::now() < deadline, "node at {at} never linked to both others: {out}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/hetero/tour.tcl");
    let args = ["submit", "--wait", "--timeout", "60", "--var", "stops=arm s390 x86", "--var", "clone_to=s390", script];
    let (code, out, err) = common::run_itin(&args, Some(&x86), WAIT * 2);
    assert_eq!(code, 0, "the tour failed:\n{out}\n{err}");
    let arch = std::env::consts::ARCH;
    assert!(out.starts_with(&format!("start on x86 ({arch}, ")), "{out}");
    for node in ["arm", "s390", "x86"] {
        let hop = out.lines().find(|l| l.starts_with(&format!("hop to {node} "))).unwrap_or_else(|| panic!("{out}"));
        assert!(hop.ends_with("state intact"), "{hop}");
    }
    assert!(out.contains("on s390 (") && out.contains("reports: state intact"), "{out}");
    assert!(out.contains("finally clauses run: 36 (expected 36)"), "{out}");
    assert!(out.trim_end().ends_with("tour passed: 3 hops and a clone"), "{out}");
}
