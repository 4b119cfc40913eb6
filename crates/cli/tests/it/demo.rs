//! `itin demo` starts three nodes on loopback, runs its scenario and
//! exits 0 with a transcript of every step.

use std::process::Command;

#[test]
fn demo_runs_every_step() {
    let out = Command::new(env!("CARGO_BIN_EXE_itin")).arg("demo").output().expect("run itin demo");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stdout:\n{text}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));
    for needle in [
        "node alpha listening on 127.0.0.1:",
        "node alpha dashboard at http://127.0.0.1:",
        "node gamma dashboard at http://127.0.0.1:",
        "got back: \"alpha beta gamma\" (3 hops over mutual TLS)",
        "(mutual TLS, throwaway CA)",
        "received 1000 in order",
        "manager@alpha: DF lists trucker on beta",
        "manager@alpha: DF lists shipper on gamma",
        "manager@alpha: accepts",
        "result: delivered by shipper on gamma for 60",
        "12 squared is 144, 7 squared is 49",
        "submitted a child to beta; 10! = 3628800",
        "toured alpha -> beta -> gamma",
        "forked a clone onto gamma: [",
        "clone on gamma has n=42",
        "demo: every step worked",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}
