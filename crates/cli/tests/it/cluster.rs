//! `itin node start --cluster etcd://...` processes against a real etcd
//! (Debian's `etcd`, started here on loopback ports of its own): a node
//! killed with SIGKILL is shown dead by `itin nodes` within its lease;
//! `itin node forget` refuses a live node, then reports the dead node's
//! agent lost; the forgotten node cannot start again under its name; a
//! dead node that returns (not forgotten) resumes its agent from its store.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;
use common::{listening, run_itin_as, start_node, Killed};

const WAIT: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// etcd on loopback in a temporary directory, killed and removed when dropped.
struct Etcd {
    child: Child,
    dir: std::path::PathBuf,
    endpoint: String,
}

impl Etcd {
    fn start() -> Etcd {
        let (client, peer) = (free_port(), free_port());
        let dir = std::env::temp_dir().join(format!("itin-cli-etcd-{}-{client}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let log = std::fs::File::create(dir.join("etcd.log")).unwrap();
        let url = |p: u16| format!("http://127.0.0.1:{p}");
        let child = Command::new(std::env::var("ITIN_ETCD").unwrap_or_else(|_| "etcd".into()))
            .args(["--name", "t", "--log-level", "warn", "--data-dir"])
            .arg(dir.join("data"))
            .args(["--listen-client-urls", &url(client), "--advertise-client-urls", &url(client)])
            .args(["--listen-peer-urls", &url(peer), "--initial-advertise-peer-urls", &url(peer)])
            .args(["--initial-cluster", &format!("t={}", url(peer))])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start etcd (apt-get install etcd-server)");
        let endpoint = format!("127.0.0.1:{client}");
        let deadline = Instant::now() + WAIT;
        while std::net::TcpStream::connect(&endpoint).is_err() {
            assert!(Instant::now() < deadline, "etcd did not listen within {WAIT:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Etcd { child, dir, endpoint }
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn itin(args: &[&str], node: &str) -> (i32, String, String) {
    run_itin_as(args, Some(node), None, Duration::from_secs(20))
}

/// Polls `itin nodes` on `node` until its output satisfies `done`.
fn nodes_until(node: &str, what: &str, done: impl Fn(&str) -> bool) -> (String, Duration) {
    let start = Instant::now();
    loop {
        let (_, out, _) = itin(&["nodes"], node);
        if done(&out) {
            return (out, start.elapsed());
        }
        assert!(start.elapsed() < WAIT, "itin nodes never showed {what}:\n{out}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn member_line<'a>(out: &'a str, name: &str) -> Option<&'a str> {
    let table = out.split_once("MEMBER")?.1;
    table.lines().find(|l| l.split_whitespace().next() == Some(name))
}

/// Two nodes on etcd: alpha, whose agent (1@alpha) jumps to beta and
/// waits there for a message; beta with a data directory.
struct Pair {
    alpha: (Killed, String),
    beta: (Killed, String),
    data: std::path::PathBuf,
    agent: std::path::PathBuf,
    common: Vec<String>,
    cluster: String,
}

impl Pair {
    fn start(etcd: &Etcd, test: &str) -> Pair {
        let cluster = format!("etcd://{}/{test}", etcd.endpoint);
        let tmp = |what: &str| std::env::temp_dir().join(format!("itin-cli-{test}-{what}-{}", std::process::id()));
        let (data, agent) = (tmp("beta"), tmp("agent.tcl"));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::write(&agent, "while {[catch {agent_jump beta}]} { after 100 }\nagent_receive c b\nset b\n").unwrap();
        let common: Vec<String> =
            ["--listen", "127.0.0.1:0", "--insecure-loopback", "--cluster", &cluster, "--lease-ttl", "2"]
                .map(String::from)
                .to_vec();
        let mut pair = Pair {
            alpha: Self::node("alpha", &common, &["--agent", agent.to_str().unwrap()]),
            beta: Self::node("beta", &common, &["--data", data.to_str().unwrap()]),
            data,
            agent,
            common,
            cluster,
        };
        // Members are listed from etcd's snapshot a moment before the
        // node's watches are in place and it calls the directory reachable.
        let reachable = format!("directory: {} (reachable", pair.cluster);
        nodes_until(&pair.alpha.1, "beta alive and the directory reachable", |o| {
            o.contains(&reachable) && member_line(o, "beta").is_some_and(|l| l.contains("alive"))
        });
        pair.await_agent_on_beta();
        pair
    }

    fn node(name: &str, common: &[String], extra: &[&str]) -> (Killed, String) {
        let mut args = vec!["--name", name];
        args.extend(common.iter().map(String::as_str));
        args.extend(extra);
        let (child, lines) = start_node(&args);
        (Killed(child), listening(name, lines))
    }

    /// The agent (its id is 1@alpha) is on beta.
    fn await_agent_on_beta(&mut self) {
        let deadline = Instant::now() + WAIT;
        while !itin(&["agents"], &self.beta.1).1.contains("1@alpha") {
            assert!(Instant::now() < deadline, "the agent never reached beta");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn kill_beta_until_dead(&mut self) -> Duration {
        self.beta.0 .0.kill().unwrap();
        let (_, noticed) =
            nodes_until(&self.alpha.1, "beta dead", |o| member_line(o, "beta").is_some_and(|l| l.contains("dead")));
        noticed
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data);
        let _ = std::fs::remove_file(&self.agent);
    }
}

#[test]
fn a_dead_node_that_returns_resumes_its_agents_from_its_store() {
    let etcd = Etcd::start();
    let mut pair = Pair::start(&etcd, "returns");
    pair.kill_beta_until_dead();
    // Not forgotten: it comes back on its store, alive again, with the agent.
    let data = pair.data.to_str().unwrap().to_owned();
    pair.beta = Pair::node("beta", &pair.common, &["--data", &data]);
    nodes_until(&pair.alpha.1, "beta alive again", |o| member_line(o, "beta").is_some_and(|l| l.contains("alive")));
    pair.await_agent_on_beta();
    // A message sent at alpha finds it on beta through the directory.
    let (code, _, err) = itin(&["send", "1@alpha", "inform", "welcome back"], &pair.alpha.1);
    assert_eq!(code, 0, "{err}");
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, out, _) = itin(&["agent", "info", "1@alpha"], &pair.beta.1);
        if out.contains("welcome back") {
            break;
        }
        assert!(Instant::now() < deadline, "the resumed agent never got the message: {out}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_killed_node_is_shown_dead_then_forgotten_and_its_agent_reported_lost() {
    let etcd = Etcd::start();
    let mut pair = Pair::start(&etcd, "forget");
    let (alpha, data, common) = (pair.alpha.1.clone(), pair.data.clone(), pair.common.clone());
    // A live node cannot be forgotten.
    let (code, _, err) = itin(&["node", "forget", "beta"], &alpha);
    assert!(code != 0 && err.contains("is alive"), "{code} {err}");

    let noticed = pair.kill_beta_until_dead();
    // A 2 s lease, `itin nodes` every 100 ms, plus process start-up.
    assert!(noticed < Duration::from_secs(8), "noticed after {noticed:?}");
    eprintln!("SIGKILLed node shown dead after {noticed:?} (lease 2 s)");

    let (code, out, err) = itin(&["node", "forget", "beta"], &alpha);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 agents reported lost") && out.contains("lost 1@alpha"), "{out}");
    let (out, _) = nodes_until(&alpha, "beta forgotten", |o| o.contains("forgotten: beta"));
    assert!(out.contains("forgotten: beta"));

    // Back on its store, it must not run the agent reported lost.
    let mut again = Command::new(env!("CARGO_BIN_EXE_itin"))
        .args(["node", "start", "--name", "beta", "--data", data.to_str().unwrap()])
        .args(&common)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = again.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = again.kill();
            panic!("the forgotten node kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut again.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success() && err.contains("forgotten"), "{status} {err}");
}
