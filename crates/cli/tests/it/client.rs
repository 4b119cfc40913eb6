//! The client commands against a real `itin node start` process on
//! loopback: submit (with --wait), agents, agent info/suspend/resume/kill/
//! logs, send, df search, nodes. Every wait polls with a deadline; the node
//! process is killed when a test ends, also when it fails.

use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common;

const WAIT: Duration = Duration::from_secs(30);

/// A node process, killed on drop.
struct NodeProc {
    child: Child,
    addr: String,
    dir: std::path::PathBuf,
}

impl NodeProc {
    fn start(test: &str, extra: &[&str]) -> NodeProc {
        let dir = std::env::temp_dir().join(format!("itin-client-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let args = [&["--name", "t", "--listen", "127.0.0.1:0", "--workers", "2"][..], extra].concat();
        let (child, lines) = common::start_node(&args);
        // Own the child before waiting, so a failure below still kills it.
        let mut node = NodeProc { child, addr: String::new(), dir };
        let line = lines.recv_timeout(WAIT).expect("the node prints where it listens");
        node.addr =
            line.strip_prefix("node t listening on ").unwrap_or_else(|| panic!("unexpected line {line:?}")).into();
        // Keep draining stdout so the node never blocks on a full pipe.
        std::thread::spawn(move || while lines.recv().is_ok() {});
        node
    }

    fn script(&self, name: &str, text: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// Runs `itin ARGS` against this node (through ITIN_NODE); exit code,
    /// stdout, stderr.
    fn itin(&self, args: &[&str]) -> (i32, String, String) {
        run(args, Some(&self.addr))
    }

    /// `itin ARGS` that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.itin(args);
        assert_eq!(code, 0, "itin {args:?}: stdout {out:?} stderr {err:?}");
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("itin {args:?} printed no JSON ({e}): {out}"))
    }

    /// Polls `agent info --json ID` until `pred` holds.
    fn info_until(&self, id: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let info = self.json(&["agent", "info", "--json", id]);
            if pred(&info) {
                return info;
            }
            assert!(Instant::now() < deadline, "agent {id} never got {what}: {info}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NodeProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs the `itin` binary against `node`; exit code, stdout, stderr.
fn run(args: &[&str], node: Option<&str>) -> (i32, String, String) {
    common::run_itin(args, node, WAIT)
}

#[test]
fn submit_waits_for_console_and_result() {
    let node = NodeProc::start("submit", &[]);
    let ok = node.script("ok.tcl", "puts \"hello $who\"\nafter 100\nputs -nonewline part\nexpr {6 * 7}\n");
    let (code, out, err) = node.itin(&["submit", "--wait", "--timeout", "30", "--var", "who=world", &ok]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "hello world\npart\n42\n", ""));

    let bad = node.script("bad.tcl", "puts before\nproc f {} { error boom }\nf\n");
    let (code, out, err) = node.itin(&["submit", "--wait", &bad]);
    assert_eq!(code, 1);
    assert_eq!(out, "before\n");
    assert!(err.starts_with("boom\n    while executing\n\"error boom"), "errorInfo on stderr: {err:?}");
    assert!(err.contains("(procedure \"f\" line 1)"), "{err:?}");

    // Without --wait: the id, and the agent is listed.
    let id = node.ok(&["submit", "--name", "quiet", "--var", "who=x", &ok]).trim().to_owned();
    assert_eq!(id, "3@t");
    let done = node.info_until("quiet", "deleted", |i| i["state"] == "deleted");
    assert_eq!((done["id"].as_str(), done["result"].as_str()), (Some("3@t"), Some("42")));
    let list = node.json(&["agents", "--json"]);
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1@t", "2@t", "3@t"]);
    let table = node.ok(&["agents"]);
    assert!(table.starts_with("ID   NAME   STATE"), "{table}");
    assert!(table.contains("\n3@t  quiet  deleted  tcl   0"), "{table}");

    // Refusals: a taken name is fine once the agent ended; a reserved
    // variable, a missing file and a missing node are not.
    let (code, _, err) = node.itin(&["submit", "--var", "agent(local)=x", &ok]);
    assert!(code == 1 && err.contains("reserved"), "{err}");
    let (code, _, err) = node.itin(&["submit", "/nonexistent/x.tcl"]);
    assert!(code == 1 && err.contains("couldn't read"), "{err}");
    let (code, _, err) = run(&["agents"], None);
    assert!(code == 2 && err.contains("ITIN_NODE"), "{err}");
    let (code, _, err) = node.itin(&["agent", "info", "99@t"]);
    assert!(code == 1 && err.contains("no agent"), "{err}");
}

#[test]
fn suspend_resume_kill_and_logs() {
    let node = NodeProc::start("control", &[]);
    let looper = node.script("loop.tcl", "set i 0\nwhile 1 { incr i; puts $i; after 20 }\n");
    let id = node.ok(&["submit", "--name", "looper", &looper]).trim().to_owned();
    let counter = |info: &Value| info["console_bytes"].as_u64().unwrap();
    node.info_until(&id, "some output", |i| counter(i) > 10);

    node.ok(&["agent", "suspend", "looper"]);
    let held = node.info_until(&id, "suspended", |i| i["state"] == "suspended");
    // Suspended: the counter stops.
    std::thread::sleep(Duration::from_millis(200));
    let still = node.json(&["agent", "info", "--json", &id]);
    assert_eq!((still["state"].as_str(), counter(&still)), (Some("suspended"), counter(&held)));

    node.ok(&["agent", "resume", &id]);
    node.info_until(&id, "more output after resume", |i| counter(i) > counter(&held) + 10);

    node.ok(&["agent", "kill", &id]);
    let dead = node.info_until(&id, "deleted", |i| i["state"] == "deleted");
    assert_eq!(dead["error"].as_str(), Some("killed"));
    let logs = node.ok(&["agent", "logs", "looper"]);
    let expected: Vec<String> = (1..=logs.lines().count()).map(|i| i.to_string()).collect();
    assert!(expected.len() > 5 && logs == expected.join("\n") + "\n", "{logs}");
    // Kill again: refused, the agent is gone.
    let (code, _, err) = node.itin(&["agent", "kill", &id]);
    assert!(code == 1 && err.contains("no agent"), "{err}");
    // --follow on an ended agent prints everything and returns.
    assert_eq!(node.ok(&["agent", "logs", "--follow", "--timeout", "30", &id]), logs);
    // --watch (stdout not a terminal): one table per refresh, as many as asked.
    let watched = node.ok(&["agents", "--watch", "--interval", "100", "--count", "3"]);
    assert_eq!(watched.matches("ID ").count(), 3, "{watched}");
    assert_eq!(watched.matches(&format!("{id}  looper")).count(), 3, "{watched}");
}

#[test]
fn send_df_search_and_nodes() {
    // A peer that is not listening: known but not connected.
    let node = NodeProc::start("send", &["--peer", "ghost=127.0.0.1:9"]);
    let server = node.script(
        "server.tcl",
        "df register -service {type printer name p1 color yes}\n\
         set m [acl receive -performative inform -timeout 30000]\n\
         puts \"got [dict get $m content] in [dict get $m conversation-id]\"\n",
    );
    let id = node.ok(&["submit", "--name", "printer", &server]).trim().to_owned();

    let deadline = Instant::now() + WAIT;
    let found = loop {
        let found = node.json(&["df", "search", "--json", "--type", "printer", "--property", "color=yes"]);
        if found.as_array().is_some_and(|f| !f.is_empty()) {
            break found;
        }
        assert!(Instant::now() < deadline, "the service never appeared");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(found[0]["agent"].as_str(), Some(id.as_str()));
    assert_eq!(found[0]["service"]["name"].as_str(), Some("p1"));
    assert_eq!(node.ok(&["df", "search", "--name", "p1"]), format!("{id}  color=yes name=p1 type=printer\n"));
    assert_eq!(node.ok(&["df", "search", "--type", "scanner"]), "");

    let (code, _, err) = node.itin(&["send", &id, "shout", "x"]);
    assert!(code == 1 && err.contains("bad performative"), "{err}");
    node.ok(&["send", "printer", "inform", "hello there", "--param", "conversation-id=c1"]);
    let logs = node.ok(&["agent", "logs", "--follow", "--timeout", "30", &id]);
    assert_eq!(logs, "got hello there in c1\n");

    let nodes = node.json(&["nodes", "--json"]);
    assert_eq!(nodes[0]["name"].as_str(), Some("t"));
    assert_eq!(nodes[0]["addr"].as_str(), Some(node.addr.as_str()));
    assert_eq!(nodes[0]["link"].as_str(), Some("self"));
    assert_eq!((nodes[1]["name"].as_str(), nodes[1]["link"].as_str()), (Some("ghost"), Some("disconnected")));
    let table = node.ok(&["nodes", "--node", &node.addr]);
    assert!(table.starts_with("NODE   ADDRESS") && table.contains("ghost  127.0.0.1:9"), "{table}");
}

#[test]
fn lib_publish_list_and_an_agent_requiring_it() {
    let node = NodeProc::start("lib", &[]);
    let geo = node.script("geo.tcl", "proc geo_area {w h} { expr {$w * $h} }\npackage provide geo 1.2\n");
    assert_eq!(node.ok(&["lib", "publish", "geo", "1.2", &geo]), "published geo 1.2\n");
    assert_eq!(node.ok(&["lib", "publish", "geo", "1.2", &geo]), "geo 1.2 was already published with this content\n");
    node.ok(&["lib", "publish", "geo", "1.10", &geo]);

    // Refusals, each with the node's reason.
    let other = node.script("other.tcl", "proc x {} {}\n");
    let (code, _, err) = node.itin(&["lib", "publish", "geo", "1.2", &other]);
    assert!(code == 1 && err.contains("already published here with other content"), "{err}");
    let (code, _, err) = node.itin(&["lib", "publish", "geo", "1.2b", &geo]);
    assert!(code == 1 && err.contains("expected version number but got \"1.2b\""), "{err}");
    let (code, _, err) = node.itin(&["lib", "publish", "a/b", "1", &geo]);
    assert!(code == 1 && err.contains("bad library name"), "{err}");
    let big = node.script("big.tcl", &"#".repeat((1 << 20) + 1));
    let (code, _, err) = node.itin(&["lib", "publish", "big", "1", &big]);
    assert!(code == 1 && err.contains("larger than 1048576 bytes"), "{err}");

    let list = node.json(&["lib", "list", "--json"]);
    let rows: Vec<(&str, &str, u64, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap(),
                l["version"].as_str().unwrap(),
                l["bytes"].as_u64().unwrap(),
                l["origin"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [("geo", "1.2", 63, "published"), ("geo", "1.10", 63, "published")]);
    let table = node.ok(&["lib", "list"]);
    assert_eq!(
        table,
        "NAME  VERSION  BYTES  ORIGIN\ngeo   1.2      63     published\ngeo   1.10     63     published\n"
    );

    let user = node.script("user.tcl", "list [package require geo 1.2] [geo_area 3 4]\n");
    let (code, out, err) = node.itin(&["submit", "--wait", "--timeout", "30", &user]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "1.10 12\n", ""));
}

#[test]
fn owner_keys_signed_submit_and_policy_reload() {
    let keys = std::env::temp_dir().join(format!("itin-client-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&keys);
    std::fs::create_dir_all(&keys).unwrap();
    let (alice, bob, policy) = (keys.join("alice.key"), keys.join("bob.key"), keys.join("policy.toml"));
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let key_of = |file: &std::path::Path, name: &str| {
        let (code, out, err) = run(&["key", "new", "--out", &path(file), "--name", name], None);
        assert_eq!(code, 0, "{err}");
        let (code, shown, _) = run(&["key", "show", &path(file)], None);
        assert_eq!(code, 0);
        // `show` prints what `new` printed first: the owner and key.
        assert!(out.starts_with(&shown), "{out:?} {shown:?}");
        assert!(shown.starts_with(&format!("owner {name}\nkey ed25519:")), "{shown}");
        shown.lines().nth(1).unwrap().strip_prefix("key ").unwrap().to_owned()
    };
    let (alice_key, bob_key) = (key_of(&alice, "alice"), key_of(&bob, "bob"));
    // The cluster's administrator (the CLI's default key) operates the
    // node: it reloads the policy.
    let (_, admin, _) = run(&["key", "show", &path(&common::certs().join("owners/admin.key"))], None);
    let admin_key = admin.lines().nth(1).unwrap().strip_prefix("key ").unwrap().to_owned();
    let admit = |owners: &[(&str, &str)]| {
        let text: String =
            owners.iter().map(|(n, k)| format!("[owners.{n}]\nkey = \"{k}\"\ngroups = [\"g\"]\n")).collect();
        let ops = format!("[owners.admin]\nkey = \"{admin_key}\"\n[owners.admin.allow]\noperate = true\n");
        std::fs::write(&policy, format!("{text}{ops}[groups.g]\nexec = [{{ program = \"echo\" }}]\n")).unwrap();
    };
    admit(&[("alice", &alice_key)]);
    let node = NodeProc::start("owners", &["--policy", &path(&policy)]);
    let script = node.script("who.tcl", "list $agent(owner) [exec echo hi] [catch {exec rm x} e] $e");
    let (code, out, err) = node.itin(&["submit", "--wait", "--key", &path(&alice), &script]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "alice hi 1 {permission denied: exec rm}\n", ""));
    // Without --key the CLI signs as the cluster's administrator
    // (DIR/owners/admin.key from `itin init`), who may run no program here.
    let (code, out, err) = node.itin(&["submit", "--wait", &script]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(err.contains("permission denied: exec echo"), "{err}");
    let (code, _, err) = node.itin(&["submit", "--key", &path(&bob), &script]);
    assert_eq!(code, 1);
    assert!(err.contains("permission denied: owner bob (ed25519:"), "{err}");
    admit(&[("alice", &alice_key), ("bob", &bob_key)]);
    assert!(node.ok(&["node", "reload-policy"]).contains("3 owners admitted"));
    let (code, out, err) = node.itin(&["submit", "--wait", "--key", &path(&bob), &script]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "bob hi 1 {permission denied: exec rm}\n", ""));
    // A client acts on its owner's agents only; the administrator, an
    // operator, on all.
    let as_owner = |key: &std::path::Path, args: &[&str]| {
        common::run_itin_with(args, Some(&node.addr), Some(common::certs()), &[("ITIN_KEY", &path(key))], WAIT)
    };
    let (code, bobs, err) = as_owner(&bob, &["submit", &node.script("wait.tcl", "after 60000")]);
    assert_eq!(code, 0, "{err}");
    let bobs = bobs.trim();
    let (code, _, err) = as_owner(&alice, &["agent", "kill", bobs]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("permission denied: kill {bobs}: the agent is not owner alice's")), "{err}");
    let (code, _, err) = as_owner(&alice, &["node", "drain"]);
    assert_eq!(code, 1);
    assert!(err.contains("permission denied: drain needs an operator (owner alice is not)"), "{err}");
    // The dashboard decides as the CLI does: `itin dashboard` opens a
    // session acting for the client's owner.
    let session = |key: &std::path::Path| {
        let (code, url, err) = as_owner(key, &["dashboard"]);
        assert_eq!(code, 0, "{err}");
        let rest = url.trim().strip_prefix("http://").unwrap_or_else(|| panic!("{url}"));
        let (addr, token) = rest.split_once("/?session=").unwrap_or_else(|| panic!("{url}"));
        (addr.to_owned(), format!("itin_session={token}"), rest.to_owned())
    };
    let (addr, alices, alice_url) = session(&alice);
    let (_, bobs_cookie, _) = session(&bob);
    let (status, head) = http(&addr, "GET", &alice_url[addr.len()..], None);
    assert_eq!(status, 303, "{head}");
    assert!(head.to_ascii_lowercase().contains(&format!("set-cookie: {alices}; path=/; httponly")), "{head}");
    assert_eq!(http(&addr, "GET", "/api/state", Some(&alices)).0, 200, "anyone signed in may look");
    assert_eq!(http(&addr, "GET", "/api/state", Some("itin_session=0123")).0, 401);
    let agent_page = format!("/api/agent/{bobs}");
    assert_eq!(http(&addr, "GET", &agent_page, Some(&bobs_cookie)).0, 200);
    let (status, body) = http(&addr, "GET", &agent_page, Some(&alices));
    assert_eq!(status, 403);
    assert!(body.contains("the agent is not owner alice's"), "{body}");
    let (status, body) = http(&addr, "POST", &format!("/api/agent/{bobs}/kill"), Some(&alices));
    assert_eq!(status, 403, "{body}");
    assert!(body.contains(&format!("permission denied: kill {bobs}")), "{body}");
    let (status, body) = http(&addr, "POST", &format!("/api/agent/{bobs}/suspend"), Some(&bobs_cookie));
    assert_eq!(status, 200, "{body}");
    assert_eq!(node.json(&["agent", "info", "--json", bobs])["state"], "suspended");
    let (code, _, err) = as_owner(&bob, &["agent", "resume", bobs]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = as_owner(&bob, &["agent", "suspend", bobs]);
    assert_eq!(code, 0, "{err}");
    node.ok(&["agent", "kill", bobs]);
    let _ = std::fs::remove_dir_all(&keys);
}

/// One HTTP/1.1 request to `addr` with an optional cookie: the status and
/// the whole answer (head and body).
fn http(addr: &str, method: &str, path: &str, cookie: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let cookie = cookie.map(|c| format!("cookie: {c}\r\n")).unwrap_or_default();
    let request =
        format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\n{cookie}content-length: 0\r\nconnection: close\r\n\r\n");
    s.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer.get(9..12).and_then(|c| c.parse().ok()).unwrap_or_else(|| panic!("no status: {answer:?}"));
    (status, answer)
}
