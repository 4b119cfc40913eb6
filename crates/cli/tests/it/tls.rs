//! The transport's security from outside: `itin init`, nodes that refuse
//! to start without credentials, and clients refused at the handshake
//! (another CA, plain TCP), against real `itin node start` processes.

use std::process::Command;
use std::time::Duration;

use crate::common;

const WAIT: Duration = Duration::from_secs(30);

fn node_start(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_itin")).args(["node", "start"]).args(args).output().expect("run itin node start")
}

fn fresh_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("itin-tls-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_node_without_credentials_refuses_to_start() {
    let out = node_start(&["--name", "alpha", "--listen", "127.0.0.1:0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no TLS credentials: give --certs DIR"), "{err}");
    assert!(err.contains("--insecure-loopback"), "{err}");

    let out = node_start(&["--name", "alpha", "--listen", "0.0.0.0:0", "--insecure-loopback"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--insecure-loopback listens on loopback only"), "{err}");

    // Credentials of another node are not this node's.
    common::certify("beta");
    let dir = common::certs().to_str().unwrap();
    let out = node_start(&["--name", "nobody", "--listen", "127.0.0.1:0", "--certs", dir]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("node credentials") && err.contains("nobody.pem"), "{err}");
}

#[test]
fn init_writes_private_keys_0600_and_never_overwrites() {
    let dir = fresh_dir("init");
    let d = dir.to_str().unwrap();
    common::init(&[d, "--node", "alpha", "--node", "beta"]);
    for f in ["ca.pem", "nodes/alpha.pem", "nodes/beta.pem", "clients/admin.pem", "policy.toml"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    #[cfg(unix)]
    for key in ["ca.key", "nodes/alpha.key", "nodes/beta.key", "clients/admin.key", "owners/admin.key"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join(key)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{key}");
    }
    let again = Command::new(env!("CARGO_BIN_EXE_itin")).args(["init", d, "--node", "gamma"]).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has a CA"));
    let twice = Command::new(env!("CARGO_BIN_EXE_itin")).args(["init", d, "--add-node", "beta"]).output().unwrap();
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("not overwritten"));
    common::init(&[d, "--add-node", "gamma", "--add-client", "bob"]);
    assert!(dir.join("nodes/gamma.pem").exists() && dir.join("clients/bob.key").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_node_with_credentials_admits_only_the_policys_owners() {
    let dir = fresh_dir("policy");
    let d = dir.to_str().unwrap();
    common::init(&[d, "--node", "alpha"]);
    // The starting policy admits the administrator, whose key the CLI
    // finds in the cluster directory.
    let policy = std::fs::read_to_string(dir.join("policy.toml")).unwrap();
    let (code, shown, _) =
        common::run_itin(&["key", "show", dir.join("owners/admin.key").to_str().unwrap()], None, WAIT);
    assert_eq!(code, 0);
    assert!(policy.contains(shown.lines().nth(1).unwrap().strip_prefix("key ").unwrap()), "{policy}");
    let out = node_start(&["--name", "alpha", "--listen", "127.0.0.1:0", "--certs", d, "--allow-exec", "echo"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--allow-exec is for a node without a policy"), "{err}");
    // Without a policy file, a node with credentials does not start.
    std::fs::remove_file(dir.join("policy.toml")).unwrap();
    let out = node_start(&["--name", "alpha", "--listen", "127.0.0.1:0", "--certs", d]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no policy: give --policy FILE"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clients_without_the_clusters_certificate_are_refused() {
    let log = fresh_dir("refused.log");
    common::certify("alpha");
    let (child, lines) = common::start_node_logged(&["--name", "alpha", "--listen", "127.0.0.1:0"], &log);
    let _node = common::Killed(child);
    let addr = common::listening("alpha", lines);

    // The cluster's own client gets in (one TLS connection per command).
    let (code, out, err) = common::run_itin(&["nodes"], Some(&addr), WAIT);
    assert_eq!(code, 0, "{out} {err}");
    assert!(out.contains("alpha"), "{out}");
    // ITIN_CLIENT picks another client certificate of the cluster.
    common::init(&[common::certs().to_str().unwrap(), "--add-client", "bob"]);
    let mut bob = Command::new(env!("CARGO_BIN_EXE_itin"));
    bob.args(["agents", "--node", &addr]).env("ITIN_CERTS", common::certs()).env("ITIN_CLIENT", "bob");
    assert!(bob.output().unwrap().status.success());

    // A client certificate of another CA, even trusting this cluster's CA:
    // the client itself says so before it connects (the node's own refusal
    // of such a handshake is tested in crates/node/tests/it/tls.rs).
    let other = fresh_dir("other-ca");
    common::init(&[other.to_str().unwrap()]);
    std::fs::remove_file(other.join("ca.pem")).unwrap();
    std::fs::copy(common::certs().join("ca.pem"), other.join("ca.pem")).unwrap();
    let (code, out, err) = common::run_itin_as(&["agents"], Some(&addr), Some(&other), WAIT);
    assert_eq!(code, 1, "{out} {err}");
    assert!(err.contains("the certificate is not one of this CA's"), "{err}");

    // Plain TCP against a TLS node fails cleanly, with a hint.
    let (code, out, err) = common::run_itin_as(&["agents"], Some(&addr), None, WAIT);
    assert_eq!(code, 1, "{out} {err}");
    assert!(err.contains("if the node runs with TLS, give --certs DIR"), "{err}");

    // The node logged the refusal and still serves.
    let (code, _, err) = common::run_itin(&["agents"], Some(&addr), WAIT);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("TLS handshake refused"), "{text}");
    let _ = std::fs::remove_dir_all(&other);
    let _ = std::fs::remove_file(&log);
}

#[test]
fn an_insecure_loopback_node_talks_plain_tcp_only() {
    let args = ["--name", "plain", "--listen", "127.0.0.1:0", "--insecure-loopback"];
    let (child, lines) = common::start_node(&args);
    let _node = common::Killed(child);
    let addr = common::listening("plain", lines);
    let (code, out, err) = common::run_itin_as(&["nodes"], Some(&addr), None, WAIT);
    assert_eq!(code, 0, "{out} {err}");
    assert!(out.contains("plain"), "{out}");
    // A TLS client gets no answer from it: its handshake fails.
    let (code, _, err) = common::run_itin(&["nodes"], Some(&addr), WAIT);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("TLS handshake with node at"), "{err}");
}
