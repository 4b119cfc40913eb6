//! The front tier and client caching across real nodes on loopback:
//! dispatch spreads calls, a killed back end is taken out while calls go
//! on, affinity keeps a session on one back end, handoff mode carries no
//! reply through the front; mutations invalidate copies (strict before
//! they return, relaxed within the bound), a lost invalidation ends with
//! its lease, and copies outlive a server restart only once revalidated.
//!
//! A back end that is "killed" runs in a tokio runtime of its own, shut
//! down at once: its sockets close and its tasks stop, as in a crash.

use crate::common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use itinerant_node::front::config::FrontConfig;
use itinerant_node::node::{Node, NodeConfig};
use itinerant_node::objects::client::ObjectClient;
use itinerant_node::objects::proto::{Call, CallOutcome};
use itinerant_node::objects::reference::ObjectRef;
use itinerant_node::objects::servant::Body;

const D: Duration = Duration::from_secs(10);

/// A node in a runtime of its own, which `kill` shuts down.
struct Killable {
    rt: Option<tokio::runtime::Runtime>,
    node: Arc<Node>,
}

impl Killable {
    async fn start(config: NodeConfig) -> Killable {
        let rt = std::thread::spawn(|| {
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
        })
        .join()
        .unwrap();
        let node = Arc::new(rt.spawn(Node::start(config)).await.unwrap().unwrap());
        Killable { rt: Some(rt), node }
    }

    fn add_peer(&self, name: &str, addr: SocketAddr) {
        let _in_its_runtime = self.rt.as_ref().unwrap().enter();
        self.node.add_peer(name, addr);
    }

    fn kill(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for Killable {
    fn drop(&mut self) {
        self.kill();
    }
}

fn config(name: &str) -> NodeConfig {
    let mut c = NodeConfig::new(name, "127.0.0.1:0".parse().unwrap());
    c.runtime.workers = 1;
    c
}

/// Back ends `names`, each with adapter `svc` and object `x` whose `who`
/// answers its node's name and `big N` N bytes.
async fn backends(names: &[&str]) -> Vec<Killable> {
    let mut out = Vec::new();
    for name in names {
        let k = Killable::start(config(name)).await;
        let o = k.node.objects();
        o.create_adapter("svc", "threading=per-request instance=per-call").unwrap();
        let script = format!("proc who {{}} {{ return {name} }}\nproc big {{n}} {{ string repeat x $n }}");
        o.add_object("svc", "x", Body::Tcl(script), Vec::new()).unwrap();
        out.push(k);
    }
    out
}

/// A front node for `svc` on `backs` (mode and policy as in the file).
async fn front(backs: &[Killable], mode: &str, policy: &str) -> Arc<Node> {
    front_named("front", backs, mode, policy).await
}

async fn front_named(name: &str, backs: &[Killable], mode: &str, policy: &str) -> Arc<Node> {
    let names: Vec<String> = backs.iter().map(|b| format!("\"{}\"", b.node.runtime().node())).collect();
    let text = format!(
        "[[service]]\nadapter = \"svc\"\nbackends = [{}]\nmode = \"{mode}\"\npolicy = \"{policy}\"\nprobe_ms = 50\nprobe_timeout_ms = 300\n",
        names.join(", ")
    );
    let mut c = config(name);
    c.front = Some(FrontConfig::parse(&text).unwrap());
    let f = Arc::new(Node::start(c).await.unwrap());
    for b in backs {
        f.add_peer(b.node.runtime().node(), b.node.addr());
        b.add_peer(name, f.addr());
    }
    f
}

fn svc(front: &Node) -> ObjectRef {
    ObjectRef::new(front.runtime().node(), "svc", "x").unwrap()
}

/// Who served each of `n` calls, counted.
async fn spread(c: &ObjectClient, target: &ObjectRef, n: usize) -> BTreeMap<String, usize> {
    let mut count = BTreeMap::new();
    for _ in 0..n {
        let who = c.invoke(target, "who", &[], D).await.unwrap();
        *count.entry(who).or_insert(0) += 1;
    }
    count
}

fn backend_up(front: &Node, name: &str) -> bool {
    let rows = front.objects().front().unwrap().rows();
    rows[0].backends.iter().find(|b| b.name == name).unwrap().up
}

async fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + D;
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not within {D:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_spreads_calls_and_a_killed_back_end_is_taken_out_while_calls_go_on() {
    let mut backs = backends(&["b1", "b2", "b3"]).await;
    let f = front(&backs, "relay", "round-robin").await;
    let c = ObjectClient::connect(f.addr(), "s").await.unwrap();
    let target = svc(&f);
    let first = spread(&c, &target, 30).await;
    assert_eq!(first.values().copied().collect::<Vec<_>>(), [10, 10, 10], "round robin: {first:?}");
    // Calls in flight while b2 dies, and calls after: all answered.
    let calls: Vec<_> = (0..30).map(|_| (target.clone(), "who".to_string(), Vec::new())).collect();
    let during = {
        let c = c.clone();
        tokio::spawn(async move { c.invoke_many(&calls, D).await })
    };
    backs[1].kill();
    for r in during.await.unwrap() {
        assert!(r.is_ok(), "a call failed while b2 died: {r:?}");
    }
    wait_for("b2 taken out", || !backend_up(&f, "b2")).await;
    let after = spread(&c, &target, 20).await;
    assert!(!after.contains_key("b2"), "b2 still served: {after:?}");
    assert_eq!(after.values().sum::<usize>(), 20);
    // A b2 that comes back (a new process, a new port) is put back.
    let again = backends(&["b2"]).await;
    f.add_peer("b2", again[0].node.addr());
    again[0].add_peer("front", f.addr());
    wait_for("b2 back", || backend_up(&f, "b2")).await;
    let back = spread(&c, &target, 30).await;
    assert!(back.get("b2").copied().unwrap_or(0) >= 5, "b2 not used again: {back:?}");
    let row = f.objects().front().unwrap().rows()[0].backends.iter().find(|b| b.name == "b2").unwrap().clone();
    assert_eq!(row.downs, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn least_loaded_and_affinity_policies() {
    let backs = backends(&["l1", "l2", "l3"]).await;
    let f = front(&backs, "relay", "session").await;
    let target = svc(&f);
    let mut used = std::collections::BTreeSet::new();
    for i in 0..12 {
        let c = ObjectClient::connect(f.addr(), &format!("session-{i}")).await.unwrap();
        let served = spread(&c, &target, 8).await;
        assert_eq!(served.len(), 1, "session-{i} moved between back ends: {served:?}");
        used.extend(served.into_keys());
    }
    assert!(used.len() >= 2, "12 sessions all on {used:?}");
    // Least loaded spreads evenly when the back ends are equally quick.
    let g = front_named("front2", &backs, "relay", "least-loaded").await;
    let c = ObjectClient::connect(g.addr(), "s").await.unwrap();
    let target = ObjectRef::new("front2", "svc", "x").unwrap();
    let calls: Vec<_> = (0..60).map(|_| (target.clone(), "who".to_string(), Vec::new())).collect();
    let mut count = BTreeMap::new();
    for r in c.invoke_many(&calls, D).await {
        *count.entry(r.unwrap()).or_insert(0) += 1;
    }
    assert_eq!(count.len(), 3, "{count:?}");
    assert!(count.values().all(|n| *n >= 10), "{count:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handoff_mode_carries_no_reply_through_the_front() {
    let mut backs = backends(&["h1", "h2", "h3"]).await;
    let relay = front(&backs, "relay", "round-robin").await;
    let hand = front_named("hfront", &backs, "handoff", "round-robin").await;
    let n = "10000".to_string();
    // 40 calls answered with 10 kB each: through the relay, 400 kB pass
    // the front; handed off, none.
    for (f, target) in [(&relay, svc(&relay)), (&hand, ObjectRef::new("hfront", "svc", "x").unwrap())] {
        let c = ObjectClient::connect(f.addr(), "s").await.unwrap();
        for _ in 0..40 {
            assert_eq!(c.invoke(&target, "big", std::slice::from_ref(&n), D).await.unwrap().len(), 10_000);
        }
    }
    let relayed = relay.objects().front().unwrap().counters();
    let handed = hand.objects().front().unwrap().counters();
    let relay_out = relay.objects().channel_bytes_out.load(std::sync::atomic::Ordering::Relaxed);
    let hand_out = hand.objects().channel_bytes_out.load(std::sync::atomic::Ordering::Relaxed);
    assert!(relayed.relayed_reply_bytes >= 400_000 && relay_out >= 400_000, "{relayed:?} {relay_out}");
    assert_eq!((handed.relayed, handed.relayed_reply_bytes), (0, 0));
    assert_eq!(handed.handoffs, 1, "one handoff, then the client stays with its back end");
    assert!(hand_out < 1000, "the handoff front wrote {hand_out} bytes to its client");
    // The client's back end dies: it comes back to the front, which hands
    // it to another.
    let c = ObjectClient::connect(hand.addr(), "t").await.unwrap();
    let target = ObjectRef::new("hfront", "svc", "x").unwrap();
    let first = c.invoke(&target, "who", &[], D).await.unwrap();
    let i = ["h1", "h2", "h3"].iter().position(|n| *n == first).unwrap();
    backs[i].kill();
    wait_for("the dead back end taken out", || !hand.objects().front().unwrap().rows()[0].backends[i].up).await;
    let next = c.invoke(&target, "who", &[], D).await.unwrap();
    assert_ne!(next, first);
    assert_eq!(c.invoke(&target, "who", &[], D).await.unwrap(), next, "stays with the new back end");
}

// ----- caching --------------------------------------------------------------

const ACCOUNT: &str =
    "set readonly {get}\nset n 0\nproc get {} { global n; return $n }\nproc add {k} { global n; incr n $k }";

async fn caching_client(node: &Node, session: &str) -> ObjectClient {
    let c = ObjectClient::connect(node.addr(), session).await.unwrap();
    c.set_caching(true);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_mutations_invalidate_every_copy_before_they_return() {
    let nodes = common::peered(&["cs"], |_| {}).await;
    let o = nodes[0].objects();
    o.create_adapter("acct", "caching=strict:5000").unwrap();
    o.add_object("acct", "x", Body::Tcl(ACCOUNT.into()), Vec::new()).unwrap();
    let x = ObjectRef::new("cs", "acct", "x").unwrap();
    let (c1, c2, c3) = (
        caching_client(&nodes[0], "a").await,
        caching_client(&nodes[0], "b").await,
        caching_client(&nodes[0], "c").await,
    );
    for c in [&c1, &c2, &c3] {
        assert_eq!(c.invoke(&x, "get", &[], D).await.unwrap(), "0");
        assert_eq!(c.invoke(&x, "get", &[], D).await.unwrap(), "0");
        let s = c.cache_stats();
        assert_eq!((s.entries, s.hits, s.misses), (1, 1, 1), "second read from the copy");
    }
    let t0 = Instant::now();
    assert_eq!(c1.invoke(&x, "add", &["5".into()], D).await.unwrap(), "5");
    let took = t0.elapsed();
    // Acknowledged, not waited out: far quicker than the 5 s lease.
    assert!(took < Duration::from_millis(1000), "add took {took:?}");
    for c in [&c1, &c2, &c3] {
        assert_eq!(c.cache_stats().entries, 0, "a copy survived the mutation");
        assert_eq!(c.invoke(&x, "get", &[], D).await.unwrap(), "5");
    }
    // A client without caching is no holder and reads the server.
    let plain = ObjectClient::connect(nodes[0].addr(), "p").await.unwrap();
    assert_eq!(plain.invoke(&x, "get", &[], D).await.unwrap(), "5");
    assert_eq!(plain.cache_stats().entries, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relaxed_copies_are_stale_at_most_for_the_bound() {
    let nodes = common::peered(&["cr"], |_| {}).await;
    let o = nodes[0].objects();
    o.create_adapter("acct", "caching=relaxed:1000").unwrap();
    o.add_object("acct", "x", Body::Tcl(ACCOUNT.into()), Vec::new()).unwrap();
    let x = ObjectRef::new("cr", "acct", "x").unwrap();
    let (writer, reader, deaf) = (
        caching_client(&nodes[0], "w").await,
        caching_client(&nodes[0], "r").await,
        caching_client(&nodes[0], "d").await,
    );
    deaf.lose_invalidations(true);
    for c in [&reader, &deaf] {
        assert_eq!(c.invoke(&x, "get", &[], D).await.unwrap(), "0");
    }
    let t0 = Instant::now();
    assert_eq!(writer.invoke(&x, "add", &["7".into()], D).await.unwrap(), "7");
    assert!(t0.elapsed() < Duration::from_millis(500), "relaxed: the mutation does not wait");
    // The deaf client still reads its copy, then the new value by the bound.
    assert_eq!(deaf.invoke(&x, "get", &[], D).await.unwrap(), "0", "a lost invalidation leaves the copy");
    for c in [&reader, &deaf] {
        loop {
            let asked = t0.elapsed();
            let v = c.invoke(&x, "get", &[], D).await.unwrap();
            if v == "7" {
                break;
            }
            assert!(asked < Duration::from_millis(1000), "stale after the bound: asked at {asked:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_invalidation_ends_with_the_lease() {
    let nodes = common::peered(&["cl"], |_| {}).await;
    let o = nodes[0].objects();
    o.create_adapter("acct", "caching=strict:600").unwrap();
    o.add_object("acct", "x", Body::Tcl(ACCOUNT.into()), Vec::new()).unwrap();
    let x = ObjectRef::new("cl", "acct", "x").unwrap();
    let (writer, deaf) = (caching_client(&nodes[0], "w").await, caching_client(&nodes[0], "d").await);
    deaf.lose_invalidations(true);
    let read_at = Instant::now();
    assert_eq!(deaf.invoke(&x, "get", &[], D).await.unwrap(), "0");
    // The holder never acknowledges: the mutation waits for its lease.
    assert_eq!(writer.invoke(&x, "add", &["2".into()], D).await.unwrap(), "2");
    let waited = read_at.elapsed();
    assert!(waited >= Duration::from_millis(550), "returned before the lease ended: {waited:?}");
    // By then the copy has expired at the client too.
    assert_eq!(deaf.invoke(&x, "get", &[], D).await.unwrap(), "2");
    assert_eq!(deaf.cache_stats().expired, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_outlive_a_server_restart_only_once_revalidated() {
    let dir = std::env::temp_dir().join(format!("itin-front-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = |n: &str| -> PathBuf { dir.join(n) };
    let mut c = config("srv");
    c.data = Some(data("one"));
    let mut srv = Killable::start(c).await;
    let o = srv.node.objects();
    o.create_adapter("acct", "lifespan=persistent caching=strict:6000").unwrap();
    for id in ["x", "y"] {
        o.add_object("acct", id, Body::Tcl(ACCOUNT.into()), Vec::new()).unwrap();
    }
    let agents = Arc::new(Node::start(config("agents")).await.unwrap());
    agents.add_peer("srv", srv.node.addr());
    srv.add_peer("agents", agents.addr());
    let call = |id: &str, method: &str, args: &[&str]| Call {
        target: format!("itin://srv/acct/{id}"),
        method: method.into(),
        args: args.iter().map(|a| a.to_string()).collect(),
        timeout_ms: 5000,
        ..Call::default()
    };
    let get = |id: &'static str| {
        let (agents, call) = (agents.clone(), call(id, "get", &[]));
        async move { agents.objects().call_cached(call).await }
    };
    // The node's cache for its agents: a miss, then hits; a mutation
    // through another node invalidates it.
    assert_eq!(get("x").await, CallOutcome::Ok("0".into()));
    assert_eq!(get("x").await, CallOutcome::Ok("0".into()));
    let direct = ObjectClient::connect(srv.node.addr(), "d").await.unwrap();
    let x = ObjectRef::new("srv", "acct", "x").unwrap();
    direct.invoke(&x, "add", &["5".into()], D).await.unwrap();
    assert_eq!(get("x").await, CallOutcome::Ok("5".into()));
    let before = agents.objects().agent_cache_stats();
    assert_eq!((before.hits, before.misses, before.invalidations), (1, 2, 1));
    // The server crashes and comes back (its store as it was).
    srv.kill();
    copy_dir(&data("one"), &data("two"));
    let mut c = config("srv");
    c.data = Some(data("two"));
    let restarted = Instant::now();
    let srv2 = Killable::start(c).await;
    agents.add_peer("srv", srv2.node.addr());
    srv2.add_peer("agents", agents.addr());
    // A lease from the new epoch (another object) tells the node of the
    // restart: x's copy, from the old epoch, is revalidated, not used.
    assert_eq!(get("y").await, CallOutcome::Ok("0".into()));
    assert_eq!(get("x").await, CallOutcome::Ok("5".into()));
    let s = agents.objects().agent_cache_stats();
    assert_eq!((s.revalidations, s.hits), (1, before.hits), "the old copy was used: {s:?}");
    assert_eq!(get("x").await, CallOutcome::Ok("5".into()));
    assert_eq!(agents.objects().agent_cache_stats().hits, before.hits + 1, "revalidated copy used");
    // Copies from before the crash may still be out there (the server
    // lost its table): a mutation waits out the grace period (one lease).
    let direct = ObjectClient::connect(srv2.node.addr(), "d").await.unwrap();
    assert_eq!(direct.invoke(&x, "add", &["1".into()], D).await.unwrap(), "6");
    assert!(restarted.elapsed() >= Duration::from_millis(5900), "grace not kept: {:?}", restarted.elapsed());
    assert_eq!(get("x").await, CallOutcome::Ok("6".into()));
    drop((srv, srv2));
    let _ = std::fs::remove_dir_all(&dir);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

itinerant_node::object_interface! {
    pub trait Stock {
        fn level(&mut self) -> i64;
        fn take(&mut self, n: i64) -> i64;
    }
    stub StockStub;
    skeleton StockSkeleton;
    read_only level;
}

struct Shelf(i64);

impl Stock for Shelf {
    fn level(&mut self) -> Result<i64, String> {
        Ok(self.0)
    }
    fn take(&mut self, n: i64) -> Result<i64, String> {
        self.0 -= n;
        Ok(self.0)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_and_rust_stubs_read_through_caches() {
    let nodes = common::peered(&["ca1", "ca2"], |_| {}).await;
    let (srv, agents) = (&nodes[0], &nodes[1]);
    srv.objects().register_rust("Shelf", Arc::new(|| Box::new(StockSkeleton(Shelf(10)))));
    srv.objects().create_adapter("shop", "caching=strict:5000").unwrap();
    srv.objects().add_object("shop", "s", Body::Rust("Shelf".into()), Vec::new()).unwrap();
    // A Rust stub over a caching client: `level` is read-only.
    let c = caching_client(srv, "stub").await;
    let stub = StockStub { client: c.clone(), target: ObjectRef::new("ca1", "shop", "s").unwrap(), deadline: D };
    assert_eq!(stub.level().await.unwrap(), 10);
    assert_eq!(stub.level().await.unwrap(), 10);
    assert_eq!(c.cache_stats().hits, 1);
    // Agents on another node: the node's cache serves their repeated reads;
    // a mutation (another agent's `take`) invalidates it.
    let reader = "set a [object call itin://ca1/shop/s level]
        set b [object call itin://ca1/shop/s level]
        set c [object call itin://ca1/shop/s take 3]
        set d [object call itin://ca1/shop/s level]
        set e [object call itin://ca1/shop/s level]
        list $a $b $c $d $e";
    let id = agents.runtime().spawn_with(reader, None, &[]).unwrap();
    assert_eq!(common::result_on(agents, &id).await, Ok("10 10 7 7 7".into()));
    let s = agents.objects().agent_cache_stats();
    // Misses: the first `level`, `take` (a client cannot tell a mutating
    // method until its answer comes without a lease), `level` after it.
    assert_eq!((s.hits, s.misses, s.invalidations), (2, 3, 1), "{s:?}");
    // The stub's copy was invalidated by the agent's mutation.
    assert_eq!(stub.level().await.unwrap(), 7);
}
