//! Resource bindings across three real nodes on loopback: every cell of
//! the seed's table (binding by identifier, value, type × unattached file,
//! fastened store, fixed console and listening endpoint) and the alternatives an agent may ask
//! for, checked on the nodes' sandboxes, stores and consoles.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use itinerant_core::{AgentId, KeyValue};
use itinerant_node::node::Node;

use crate::common;
use common::{peered, result_on, WAIT};

struct Cluster {
    nodes: Vec<Arc<Node>>,
    dir: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for n in &self.nodes {
            n.stop();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Cluster {
    fn sandbox(&self, node: usize) -> PathBuf {
        self.dir.join(["alpha", "beta", "gamma"][node]).join("sandbox")
    }

    fn kv(&self, node: usize) -> &dyn KeyValue {
        &**self.nodes[node].store().expect("a store")
    }
}

async fn three(test: &str) -> Cluster {
    let dir = std::env::temp_dir().join(format!("itin-res-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let nodes = peered(&["alpha", "beta", "gamma"], |c| c.data = Some(dir.join(&c.name))).await;
    Cluster { nodes, dir }
}

fn read(path: PathBuf) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unattached_file_is_moved_copied_rebound_or_referenced() {
    let c = three("file").await;
    // The file bound by type exists on both nodes: the agent finds beta's.
    std::fs::create_dir_all(c.sandbox(1)).unwrap();
    std::fs::write(c.sandbox(1).join("scratch.txt"), "beta's scratch").unwrap();
    let script = r#"
        set moved [resource file moved.txt -by id]
        set copied [resource file data/copied.txt -by value]
        set scratch [resource file scratch.txt -by type]
        set remote [resource file remote.txt -by id -on-move ref]
        resource write $moved "moved from alpha"
        resource write $copied "v1"
        resource write $scratch "alpha's scratch"
        resource write $remote "a"
        agent_jump beta
        resource append $copied " v2"
        resource append $remote "b"
        list [resource read $moved] [resource read $copied] [resource read $scratch] [resource read $remote] \
            [dict get [resource info $moved] node] [dict get [resource info $remote] node] [resource list]
    "#;
    let id = c.nodes[0].runtime().spawn(script, None).unwrap();
    let got = result_on(&c.nodes[1], &id).await.unwrap();
    assert_eq!(
        got, "{moved from alpha} {v1 v2} {beta's scratch} ab beta alpha {file1 file2 file3 file4}",
        "as the agent saw them on beta"
    );
    // MV: gone from alpha, on beta. CP: alpha keeps the original.
    assert_eq!(read(c.sandbox(0).join("moved.txt")), None);
    assert_eq!(read(c.sandbox(1).join("moved.txt")).as_deref(), Some("moved from alpha"));
    assert_eq!(read(c.sandbox(0).join("data/copied.txt")).as_deref(), Some("v1"));
    assert_eq!(read(c.sandbox(1).join("data/copied.txt")).as_deref(), Some("v1 v2"));
    // RB: alpha's scratch file stays as it was; GR: the file stayed on alpha.
    assert_eq!(read(c.sandbox(0).join("scratch.txt")).as_deref(), Some("alpha's scratch"));
    assert_eq!(read(c.sandbox(0).join("remote.txt")).as_deref(), Some("ab"));
    assert_eq!(read(c.sandbox(1).join("remote.txt")), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fastened_store_is_referenced_copied_moved_or_rebound() {
    let c = three("store").await;
    c.kv(2).set("local/x", "gamma's x").unwrap();
    let script = r#"
        store set k1 v1
        set cache [resource store cache/ -by value -on-move copy]
        set settings [resource store settings/ -by value]
        set local [resource store local/ -by type]
        set moving [resource store moving/ -by id -on-move move]
        store -handle $cache set a 1
        store -handle $settings set colour blue
        store -handle $local set x "alpha's x"
        store -handle $moving set m 42
        agent_jump gamma
        store set k2 v2
        store -handle $cache set b 2
        list [store get k1] [store -handle $settings get colour] [store -handle $local get x] \
            [store -handle $moving get m] [store -handle $cache keys] [store exists nope]
    "#;
    let id = c.nodes[0].runtime().spawn(script, None).unwrap();
    let got = result_on(&c.nodes[2], &id).await.unwrap();
    assert_eq!(got, "v1 blue {gamma's x} 42 {a b} 0");
    let (alpha, gamma) = (c.kv(0), c.kv(2));
    // By identifier (GR): the agent on gamma wrote alpha's store.
    assert_eq!(alpha.get("k2").unwrap().as_deref(), Some("v2"));
    assert_eq!(gamma.get("k2").unwrap(), None);
    // By value, fastened: GR by default, CP when asked.
    assert_eq!(gamma.get("settings/colour").unwrap(), None);
    assert_eq!(alpha.keys("cache/", 10).unwrap(), vec!["cache/a"]);
    assert_eq!(gamma.keys("cache/", 10).unwrap(), vec!["cache/a", "cache/b"]);
    // By type (RB): alpha's own value untouched.
    assert_eq!(alpha.get("local/x").unwrap().as_deref(), Some("alpha's x"));
    // By identifier with MV asked: the keys left alpha.
    assert_eq!(alpha.keys("moving/", 10).unwrap(), Vec::<String>::new());
    assert_eq!(gamma.get("moving/m").unwrap().as_deref(), Some("42"));
}

/// Polls `node`'s console of agent `id` until it contains `text`.
async fn console_shows(node: &Arc<Node>, id: &AgentId, text: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let console = node.runtime().console(id).unwrap_or_default();
        if console.contains(text) || Instant::now() > deadline {
            return console;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixed_console_streams_home_or_is_rebound() {
    let c = three("console").await;
    let by = |binding: &str| {
        format!(
            r#"
            resource console -by {binding}
            puts "before the jump"
            agent_jump beta
            puts "after the jump"
            dict get [resource info console] node
        "#
        )
    };
    // By identifier and by value (GR): output keeps going to alpha.
    for binding in ["id", "value"] {
        let id = c.nodes[0].runtime().spawn(&by(binding), None).unwrap();
        assert_eq!(result_on(&c.nodes[1], &id).await.unwrap(), "alpha", "{binding}");
        let home = console_shows(&c.nodes[0], &id, "after the jump").await;
        assert!(home.contains("before the jump\nafter the jump"), "{binding}: alpha shows {home:?}");
        assert!(!c.nodes[1].runtime().console(&id).unwrap_or_default().contains("after"), "{binding}");
    }
    // By type (RB): the console is beta's from the jump on.
    let id = c.nodes[0].runtime().spawn(&by("type"), None).unwrap();
    assert_eq!(result_on(&c.nodes[1], &id).await.unwrap(), "beta");
    let beta = c.nodes[1].runtime().console(&id).unwrap_or_default();
    assert!(beta.contains("after the jump"), "beta shows {beta:?}");
    assert!(!c.nodes[0].runtime().console(&id).unwrap_or_default().contains("after the jump"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bindings_and_operations_get_clear_errors() {
    let c = three("bad").await;
    let cases = [
        ("resource file ../etc/passwd", "must be relative|no empty"),
        ("resource file /etc/passwd", "relative to the sandbox"),
        ("resource store p/ -by value -on-move rebind", "may not rebind"),
        ("resource console -on-move copy", "may not copy"),
        ("resource store -attach unattached", "is fastened"),
        ("resource read nothing", "no resource \"nothing\""),
        ("resource read [resource store]", "not a file"),
        ("resource read [resource file missing.txt]", "cannot read"),
        ("store get absent", "no key \"absent\""),
        ("resource file x -by sideways", "bad binding"),
    ];
    for (script, want) in cases {
        let id = c.nodes[0].runtime().spawn(script, None).unwrap();
        let got = result_on(&c.nodes[0], &id).await.unwrap_err();
        assert!(want.split('|').any(|w| got.contains(w)), "{script}: {got}");
    }
    // A global reference to a node that went away: an error, not a hang.
    let id = c.nodes[0]
        .runtime()
        .spawn("set r [resource file r.txt -on-move ref]; resource write $r x; agent_jump beta; after 300; resource read $r", None)
        .unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    c.nodes[0].stop();
    let got = result_on(&c.nodes[1], &id).await.unwrap_err();
    assert!(got.contains("alpha"), "{got}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_copies_what_a_jump_would_move() {
    let c = three("fork").await;
    let script = r#"
        set f [resource file mine.txt -by id]
        resource write $f "parent's"
        set child [agent_fork gamma]
        if {$child eq ""} {
            resource append $f " + clone's"
            agent_send $agent(root) 0 [list [resource read $f] [dict get [resource info $f] node]]
            return clone
        }
        agent_receive code reply -timeout 10000
        list $reply [resource read $f]
    "#;
    let id = c.nodes[0].runtime().spawn(script, None).unwrap();
    let got = result_on(&c.nodes[0], &id).await.unwrap();
    assert_eq!(got, "{{parent's + clone's} gamma} parent's");
    assert_eq!(read(c.sandbox(0).join("mine.txt")).as_deref(), Some("parent's"));
    assert_eq!(read(c.sandbox(2).join("mine.txt")).as_deref(), Some("parent's + clone's"));
}

/// Sends `line` on a new connection to `addr` and reads the answer line.
async fn ask(addr: &str, line: &str) -> String {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let talk = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("{line}\n").as_bytes()).await.unwrap();
        let mut answer = String::new();
        BufReader::new(s).read_line(&mut answer).await.unwrap();
        answer.trim_end().to_owned()
    };
    tokio::time::timeout(WAIT, talk).await.expect("an answer on the endpoint")
}

/// Polls alpha's store for `key`.
async fn stored(c: &Cluster, key: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = c.kv(0).get(key).unwrap() {
            return v;
        }
        assert!(Instant::now() < deadline, "no {key} in alpha's store");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_endpoint_is_referenced_or_rebound() {
    let c = three("endpoint").await;
    let script = r#"
        set home [resource listen -by id]
        set any [resource listen -by type]
        store set before [list [resource address $home] [resource address $any]]
        agent_jump beta
        store set after [list [resource address $home] [resource address $any]]
        set heard {}
        foreach _ {1 2} {
            agent_receive code msg
            lassign $msg handle conn line
            resource write $handle $conn "$line to $handle on $agent(node)"
            lappend heard $line
        }
        after 100
        set heard
    "#;
    let id = c.nodes[0].runtime().spawn(script, None).unwrap();
    let before: Vec<String> = stored(&c, "before").await.split(' ').map(str::to_owned).collect();
    let after: Vec<String> = stored(&c, "after").await.split(' ').map(str::to_owned).collect();
    // By identifier (GR): the endpoint stays on alpha; what arrives there
    // follows the agent to beta and the answer goes back through alpha.
    assert_eq!(after[0], before[0]);
    assert_eq!(ask(&after[0], "hello").await, "hello to endpoint1 on beta");
    // By type (RB): a new endpoint on beta; alpha's closed once it left.
    assert_ne!(after[1], before[1]);
    assert_eq!(ask(&after[1], "hi").await, "hi to endpoint2 on beta");
    assert!(tokio::net::TcpStream::connect(&before[1]).await.is_err(), "alpha's by-type endpoint closed");
    assert_eq!(result_on(&c.nodes[1], &id).await.unwrap(), "hello hi");
    // The agent ended: its endpoint on alpha closes too.
    let deadline = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(&before[0]).await.is_ok() {
        assert!(Instant::now() < deadline, "alpha's endpoint stays open after the agent ended");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Errors: a port taken, a write to no connection, a copy asked.
    let taken = before[0].rsplit(':').next().unwrap().to_owned();
    let busy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let busy_port = busy.local_addr().unwrap().port();
    let cases = [
        (format!("resource listen {busy_port}"), "cannot listen".to_owned()),
        ("resource listen 70000".to_owned(), "bad port".to_owned()),
        ("resource write [resource listen] 99 x".to_owned(), "no connection 99".to_owned()),
        ("resource listen -by value -on-move copy".to_owned(), "may not copy".to_owned()),
        ("resource address [resource file a.txt]".to_owned(), "not an endpoint".to_owned()),
    ];
    for (script, want) in cases {
        let id = c.nodes[0].runtime().spawn(&script, None).unwrap();
        let got = result_on(&c.nodes[0], &id).await.unwrap_err();
        assert!(got.contains(&want), "{script}: {got} (port {taken} was the agent's)");
    }
}
