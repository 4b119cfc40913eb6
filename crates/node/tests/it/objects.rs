//! The object server across real nodes on loopback: each policy value,
//! location transparency after a move, replica groups with a replica
//! down, failover, and a cancel that beats a saturated data lane.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use itinerant_node::node::Node;
use itinerant_node::objects::client::{CallError, GroupMode, ObjectClient};
use itinerant_node::objects::proto::{CallOutcome, ObjectReply, ObjectRequest, ObjectRow};
use itinerant_node::objects::reference::ObjectRef;
use itinerant_node::objects::servant::Body;

const SLOW: &str = "set n 0\nproc slow {} { global n; after 120; incr n }\nproc add {k} { global n; incr n $k }";
const D: Duration = Duration::from_secs(10);

fn tcl(s: &str) -> Body {
    Body::Tcl(s.into())
}

fn r(node: &Node, adapter: &str, id: &str) -> ObjectRef {
    ObjectRef::new(node.runtime().node(), adapter, id).unwrap()
}

async fn client(node: &Node, session: &str) -> ObjectClient {
    ObjectClient::connect(node.addr(), session).await.unwrap()
}

fn setup(node: &Node, adapter: &str, policy: &str, ids: &[&str], script: &str) {
    let o = node.objects();
    o.create_adapter(adapter, policy).unwrap();
    for id in ids {
        o.add_object(adapter, id, tcl(script), Vec::new()).unwrap();
    }
}

/// Runs `calls` (target, method) at once; how long until all answered.
async fn elapsed(c: &ObjectClient, calls: &[(ObjectRef, &str)]) -> Duration {
    let calls: Vec<_> = calls.iter().map(|(t, m)| (t.clone(), m.to_string(), Vec::new())).collect();
    let t0 = Instant::now();
    for out in c.invoke_many(&calls, D).await {
        out.unwrap();
    }
    t0.elapsed()
}

async fn rows(node: &Node, adapter: &str) -> Vec<ObjectRow> {
    match node.objects().handle(ObjectRequest::ObjectList { adapter: Some(adapter.into()) }).await.unwrap() {
        ObjectReply::Objects(rows) => rows,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threading_policies_serialise_or_overlap_calls() {
    let nodes = common::peered(&["t"], |_| {}).await;
    let n = &nodes[0];
    setup(n, "single", "threading=single", &["a", "b"], SLOW);
    setup(n, "perobj", "threading=per-object", &["a", "b"], SLOW);
    setup(n, "perreq", "threading=per-request instance=per-call", &["a"], SLOW);
    setup(n, "pool", "threading=pool:2 instance=per-call", &["a"], SLOW);
    let c = client(n, "s").await;
    let (sa, sb) = (r(n, "single", "a"), r(n, "single", "b"));
    // single: even calls to different objects run one after another.
    let t = elapsed(&c, &[(sa.clone(), "slow"), (sb.clone(), "slow"), (sa.clone(), "slow")]).await;
    assert!(t >= Duration::from_millis(360), "single overlapped: {t:?}");
    // per-object: one object in order, two objects side by side.
    let (oa, ob) = (r(n, "perobj", "a"), r(n, "perobj", "b"));
    let t = elapsed(&c, &[(oa.clone(), "slow"), (oa.clone(), "slow")]).await;
    assert!(t >= Duration::from_millis(240), "per-object overlapped one object: {t:?}");
    let t = elapsed(&c, &[(oa.clone(), "slow"), (ob.clone(), "slow")]).await;
    assert!(t < Duration::from_millis(230), "per-object serialised two objects: {t:?}");
    // per-request: calls to one object overlap.
    let q = r(n, "perreq", "a");
    let t = elapsed(&c, &[(q.clone(), "slow"), (q.clone(), "slow"), (q.clone(), "slow"), (q.clone(), "slow")]).await;
    assert!(t < Duration::from_millis(230), "per-request serialised: {t:?}");
    // pool:2: four calls take two rounds.
    let p = r(n, "pool", "a");
    let t = elapsed(&c, &[(p.clone(), "slow"), (p.clone(), "slow"), (p.clone(), "slow"), (p.clone(), "slow")]).await;
    assert!(t >= Duration::from_millis(240) && t < Duration::from_millis(350), "pool:2 took {t:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_policies_share_split_or_refresh_state() {
    let nodes = common::peered(&["i"], |_| {}).await;
    let n = &nodes[0];
    setup(n, "one", "instance=single", &["x"], SLOW);
    setup(n, "sess", "instance=session", &["x"], SLOW);
    setup(n, "fresh", "instance=per-call", &["x"], SLOW);
    let (c1, c2) = (client(n, "alice").await, client(n, "bob").await);
    let add = |c: ObjectClient, t: ObjectRef| async move { c.invoke(&t, "add", &["1".into()], D).await.unwrap() };
    let one = r(n, "one", "x");
    assert_eq!(add(c1.clone(), one.clone()).await, "1");
    assert_eq!(add(c2.clone(), one.clone()).await, "2", "single: one servant for everyone");
    let sess = r(n, "sess", "x");
    assert_eq!(add(c1.clone(), sess.clone()).await, "1");
    assert_eq!(add(c1.clone(), sess.clone()).await, "2");
    assert_eq!(add(c2.clone(), sess.clone()).await, "1", "session: bob has a servant of his own");
    let fresh = r(n, "fresh", "x");
    for _ in 0..3 {
        assert_eq!(add(c1.clone(), fresh.clone()).await, "1", "per-call: a fresh servant each call");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_demand_activates_on_first_call_and_deactivates_when_idle() {
    let nodes = common::peered(&["d"], |_| {}).await;
    let n = &nodes[0];
    setup(n, "lazy", "activation=on-demand idle-ms=150", &["x"], SLOW);
    setup(n, "eager", "activation=eager", &["x"], SLOW);
    let row = |rows: Vec<ObjectRow>| (rows[0].active, rows[0].activations);
    assert_eq!(row(rows(n, "eager").await), (1, 1), "eager: active from the start");
    assert_eq!(row(rows(n, "lazy").await), (0, 0), "on-demand: nothing until a call");
    let c = client(n, "s").await;
    let x = r(n, "lazy", "x");
    assert_eq!(c.invoke(&x, "add", &["5".into()], D).await.unwrap(), "5");
    assert_eq!(row(rows(n, "lazy").await), (1, 1));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(row(rows(n, "lazy").await), (0, 1), "deactivated when idle");
    // Transient: a new activation starts from the script again.
    assert_eq!(c.invoke(&x, "add", &["1".into()], D).await.unwrap(), "1");
    assert_eq!(row(rows(n, "lazy").await), (1, 2));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(row(rows(n, "eager").await), (1, 1), "eager servants stay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_reach_other_nodes_and_follow_a_moved_object() {
    let nodes = common::peered(&["m1", "m2", "m3"], |_| {}).await;
    let (a, b, c) = (&nodes[0], &nodes[1], &nodes[2]);
    setup(a, "bank", "threading=per-object", &["acct"], SLOW);
    let old = r(a, "bank", "acct");
    // The client talks to m3 only; the object is on m1.
    let cl = client(c, "s").await;
    assert_eq!(cl.invoke(&old, "add", &["10".into()], D).await.unwrap(), "10");
    let moved = a.objects().move_object("bank", "acct", b.runtime().node()).await.unwrap();
    assert_eq!(moved, r(b, "bank", "acct").to_string());
    // The old reference still works, state and all.
    assert_eq!(cl.invoke(&old, "add", &["1".into()], D).await.unwrap(), "11");
    assert_eq!(rows(b, "bank").await.len(), 1);
    assert!(rows(a, "bank").await.is_empty());
    // A fresh client (no cache) is told "moved" by m1 and follows.
    let other = client(a, "t").await;
    assert_eq!(other.invoke(&old, "add", &["1".into()], D).await.unwrap(), "12");
    // The node follows for clients that ask it to (itin call, agents).
    let call = itinerant_node::objects::proto::Call {
        target: old.to_string(),
        method: "add".into(),
        args: vec!["1".into()],
        session: String::new(),
        timeout_ms: 5000,
        ..Default::default()
    };
    assert_eq!(a.objects().call(call.clone(), true).await, CallOutcome::Ok("13".into()));
    assert!(matches!(a.objects().call(call, false).await, CallOutcome::Moved(to) if to == moved));
    // Errors come back as errors.
    let err = cl.invoke(&old, "nosuch", &[], D).await.unwrap_err();
    assert_eq!(err, CallError::Failed("no method \"nosuch\"".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replica_groups_and_failover_survive_a_replica_that_is_down() {
    let nodes = common::peered(&["r1", "r2", "r3"], |_| {}).await;
    // "ghost" is a peer of r1 where nothing listens: calls to it never
    // come back.
    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let ghost_addr = unused.local_addr().unwrap();
    drop(unused);
    nodes[0].add_peer("ghost", ghost_addr);
    let mut group = Vec::new();
    for n in &nodes {
        let me = n.runtime().node();
        setup(n, "rep", "threading=per-object", &["x"], &format!("proc who {{}} {{ return {me} }}"));
        group.push(r(n, "rep", "x"));
    }
    let ghost = ObjectRef::new("ghost", "rep", "x").unwrap();
    group.insert(1, ghost.clone());
    let c = client(&nodes[0], "s").await;
    let short = Duration::from_millis(400);
    let t0 = Instant::now();
    let first = c.invoke_group(&group, "who", &[], GroupMode::First, short).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(t0.elapsed() < Duration::from_millis(300), "first answer waited for the dead replica");
    let quorum = c.invoke_group(&group, "who", &[], GroupMode::Quorum(3), short).await.unwrap();
    assert_eq!(quorum, ["r1", "r2", "r3"]);
    let all = c.invoke_group(&group, "who", &[], GroupMode::All, short).await.unwrap_err();
    assert!(matches!(&all, CallError::Unavailable(why) if why.contains("ghost")), "{all:?}");
    let quorum4 = c.invoke_group(&group, "who", &[], GroupMode::Quorum(4), short).await;
    assert!(quorum4.is_err());
    // Failover: the dead replica first, then the next one answers.
    let replicas = [ghost, group[2].clone()];
    let answer = c.invoke_idempotent(&replicas, "who", &[], 4, Duration::from_millis(200)).await.unwrap();
    assert_eq!(answer, "r2");
    // A method's own error is not retried elsewhere.
    let failed = c.invoke_idempotent(&group[2..], "nosuch", &[], 4, short).await.unwrap_err();
    assert!(matches!(failed, CallError::Failed(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_calls_to_eight_servers_take_the_time_of_one() {
    let names: Vec<String> = (1..=8).map(|i| format!("p{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let nodes = common::peered(&names, |_| {}).await;
    let mut calls = Vec::new();
    for n in &nodes {
        setup(n, "svc", "threading=per-request instance=per-call", &["x"], "proc work {} { after 100; return ok }");
        calls.push((r(n, "svc", "x"), "work".to_string(), Vec::new()));
    }
    let c = client(&nodes[0], "s").await;
    let t0 = Instant::now();
    for (target, method, args) in &calls {
        c.invoke(target, method, args, D).await.unwrap();
    }
    let sequential = t0.elapsed();
    let t0 = Instant::now();
    for out in c.invoke_many(&calls, D).await {
        assert_eq!(out.unwrap(), "ok");
    }
    let parallel = t0.elapsed();
    assert!(parallel * 5 < sequential, "parallel {parallel:?}, one after another {sequential:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_interrupts_an_endless_loop_within_50ms_while_the_data_lane_is_saturated() {
    let nodes = common::peered(&["c"], |_| {}).await;
    let n: &Arc<Node> = &nodes[0];
    setup(n, "spin", "threading=single", &["x"], "proc spin {} { while 1 {} }");
    setup(n, "load", "threading=single", &["y"], "proc take {data} { after 2; string length $data }");
    let c = client(n, "s").await;
    let spin = c.start(&r(n, "spin", "x"), "spin", &[], Duration::from_secs(60));
    tokio::time::sleep(Duration::from_millis(100)).await;
    // 16 MiB of calls queued on the data lane ahead of the cancel.
    let big = vec!["z".repeat(64 * 1024)];
    let load = r(n, "load", "y");
    let flood: Vec<_> = (0..256).map(|_| c.start(&load, "take", &big, Duration::from_secs(60))).collect();
    let t0 = Instant::now();
    c.cancel(spin.id);
    let outcome = c.finish(spin, Duration::from_secs(5)).await;
    let took = t0.elapsed();
    assert_eq!(outcome, CallOutcome::Err("call cancelled".into()));
    assert!(took < Duration::from_millis(50), "cancel took {took:?}");
    // The flood was still waiting: the cancel did not queue behind it.
    let rows = match n.objects().handle(ObjectRequest::AdapterList).await.unwrap() {
        ObjectReply::Adapters(rows) => rows,
        other => panic!("{other:?}"),
    };
    let load_row = rows.iter().find(|a| a.name == "load").unwrap();
    assert!(load_row.queued + load_row.running > 0, "the data lane was not saturated");
    eprintln!("cancel answered in {took:?} with {} calls still waiting", load_row.queued);
    for p in flood {
        c.cancel(p.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_call_objects_on_other_nodes_parked_not_holding_a_worker() {
    // One worker per node: an agent waiting for an object holding it would
    // keep the second agent from running.
    let nodes = common::peered(&["ag1", "ag2"], |_| {}).await;
    let (a, b) = (&nodes[0], &nodes[1]);
    setup(a, "bank", "threading=per-object", &["x"], SLOW);
    let caller = "set r [object call itin://ag1/bank/x add 5]
        set e [catch {object call itin://ag1/bank/x nosuch} m]
        set s [object call itin://ag1/bank/x slow]
        set t [catch {object call -timeout 50 itin://ag1/bank/x slow} m2]
        list $r $e $m $s $t $m2";
    let first = b.runtime().spawn_with(caller, None, &[]).unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let quick = b.runtime().spawn_with("expr {6 * 7}", None, &[]).unwrap();
    assert_eq!(common::result_on(b, &quick).await, Ok("42".into()));
    assert!(b.runtime().wait(&first, Duration::ZERO).is_none(), "the caller should still be waiting");
    let out = common::result_on(b, &first).await.unwrap();
    // Which side notices the 50 ms first is a race under load: the
    // caller's timer, or the server, which refuses a call whose deadline
    // passed before it started.
    let timed_out = ["{object itin://ag1/bank/x did not answer within 50 ms}", "{call deadline passed}"];
    assert!(timed_out.iter().any(|t| out == format!("5 1 {{no method \"nosuch\"}} 6 1 {t}")), "{out}");
}

itinerant_node::object_interface! {
    pub trait Counter {
        fn add(&mut self, k: i64) -> i64;
        fn name(&mut self) -> String;
    }
    stub CounterStub;
    skeleton CounterSkeleton;
}

struct RustCounter(i64);

impl Counter for RustCounter {
    fn add(&mut self, k: i64) -> Result<i64, String> {
        self.0 += k;
        Ok(self.0)
    }

    fn name(&mut self) -> Result<String, String> {
        Ok("rust".into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stubs_from_a_trait_call_rust_and_tcl_servants_alike() {
    let nodes = common::peered(&["st1", "st2"], |_| {}).await;
    let (a, b) = (&nodes[0], &nodes[1]);
    a.objects().register_rust("Counter", Arc::new(|| Box::new(CounterSkeleton(RustCounter(0)))));
    a.objects().create_adapter("c", "threading=per-object").unwrap();
    a.objects().add_object("c", "r", Body::Rust("Counter".into()), Vec::new()).unwrap();
    a.objects()
        .add_object(
            "c",
            "t",
            tcl("set n 0\nproc add {k} { global n; incr n $k }\nproc name {} { return tcl }"),
            Vec::new(),
        )
        .unwrap();
    assert!(a.objects().add_object("c", "x", Body::Rust("Nope".into()), Vec::new()).is_err());
    let client = client(b, "s").await;
    for (id, name) in [("r", "rust"), ("t", "tcl")] {
        let stub = CounterStub { client: client.clone(), target: r(a, "c", id), deadline: D };
        assert_eq!(stub.add(2).await.unwrap(), 2);
        assert_eq!(stub.add(40).await.unwrap(), 42);
        assert_eq!(stub.name().await.unwrap(), name);
    }
    // A Rust servant answers untyped calls too (itin call, agents).
    assert_eq!(
        client.invoke(&r(a, "c", "r"), "add", &["x".into()], D).await,
        Err(CallError::Failed("bad argument \"k\": \"x\"".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_call_state_lives_in_a_signed_cookie_and_tampering_is_refused() {
    let nodes = common::peered(&["ca", "cb"], |_| {}).await;
    let (a, b) = (&nodes[0], &nodes[1]);
    let cart = "proc add {k} { global cookie; if {$cookie eq {}} { set cookie 0 }; incr cookie $k }\n\
                proc peek {} { global cookie; return $cookie }";
    setup(b, "carts", "instance=per-call", &["c1", "c2"], cart);
    // Through node ca: the cookie crosses the node link both ways.
    let c = client(a, "s").await;
    let c1 = r(b, "carts", "c1");
    assert_eq!(c.invoke(&c1, "add", &["2".into()], D).await.unwrap(), "2");
    assert_eq!(c.invoke(&c1, "add", &["3".into()], D).await.unwrap(), "5", "state carried by the cookie");
    assert_eq!(rows(b, "carts").await[0].active, 0, "no servant kept between calls");
    // Another client, another object: their own state.
    assert_eq!(client(b, "t").await.invoke(&c1, "add", &["1".into()], D).await.unwrap(), "1");
    assert_eq!(c.invoke(&r(b, "carts", "c2"), "add", &["7".into()], D).await.unwrap(), "7");
    // One byte changed: refused, and the client drops the cookie.
    let good = c.cookie(&c1).unwrap();
    let mut bad = good.clone();
    bad[10] ^= 1;
    c.set_cookie(&c1, bad);
    let err = c.invoke(&c1, "peek", &[], D).await.unwrap_err().to_string();
    assert!(err.contains("cookie refused") && err.contains("tampered"), "{err}");
    assert_eq!(c.cookie(&c1), None);
    assert_eq!(c.invoke(&c1, "peek", &[], D).await.unwrap(), "");
    // A cookie of one object is refused by another.
    c.set_cookie(&r(b, "carts", "c2"), good.clone());
    assert!(c.invoke(&r(b, "carts", "c2"), "peek", &[], D).await.is_err());
    // The good one still works, directly on node cb too.
    let direct = client(b, "u").await;
    direct.set_cookie(&c1, good);
    assert_eq!(direct.invoke(&c1, "peek", &[], D).await.unwrap(), "5");
}

/// A Rust servant that says which thread serves it.
struct WhichThread;

impl itinerant_node::objects::servant::Servant for WhichThread {
    fn call(
        &mut self,
        _: &str,
        _: &[String],
        _: &itinerant_node::objects::servant::CallControl,
    ) -> Result<String, String> {
        Ok(std::thread::current().name().unwrap_or("").to_string())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_organisations_serialise_or_overlap_waits_on_threads_or_on_one_thread() {
    let nodes = common::peered(&["org"], |_| {}).await;
    let n = &nodes[0];
    n.objects().register_rust("WhichThread", Arc::new(|| Box::new(WhichThread)));
    let nap = "set n 0\nproc nap {} { global n; after 100; incr n }\nproc long {} { after 5000 }";
    for (adapter, policy) in [
        ("it", "organisation=iterative instance=per-call"),
        ("th", "organisation=threaded threading=per-request instance=per-call"),
        ("ev", "organisation=event threading=per-request instance=per-call"),
        ("evs", "organisation=event threading=per-request"),
    ] {
        setup(n, adapter, policy, &["a", "b"], nap);
        n.objects().add_object(adapter, "who", Body::Rust("WhichThread".into()), Vec::new()).unwrap();
    }
    let c = client(n, "s").await;
    let four = |adapter: &str| -> Vec<(ObjectRef, &str)> { (0..4).map(|_| (r(n, adapter, "a"), "nap")).collect() };
    let who = |adapter: &str| {
        let (c, t) = (c.clone(), r(n, adapter, "who"));
        async move { c.invoke(&t, "any", &[], D).await.unwrap() }
    };
    // Iterative: one thread of the adapter's own, one call after another.
    let t = elapsed(&c, &four("it")).await;
    assert!(t >= Duration::from_millis(400), "iterative overlapped: {t:?}");
    assert_eq!(who("it").await, "adapter-it");
    // Threaded: each waiting call holds a thread of the pool; they overlap.
    let t = elapsed(&c, &four("th")).await;
    assert!(t < Duration::from_millis(250), "threaded serialised: {t:?}");
    assert!(!who("th").await.starts_with("adapter-"));
    // Event-driven: one thread, yet the waits overlap (parked, not slept).
    let t = elapsed(&c, &four("ev")).await;
    assert!(t < Duration::from_millis(250), "event-driven serialised: {t:?}");
    assert_eq!(who("ev").await, "adapter-ev");
    // A kept servant still serves one call at a time; two objects overlap.
    let (a, b) = (r(n, "evs", "a"), r(n, "evs", "b"));
    let t = elapsed(&c, &[(a.clone(), "nap"), (a.clone(), "nap")]).await;
    assert!(t >= Duration::from_millis(200), "one servant ran two calls at once: {t:?}");
    let t = elapsed(&c, &[(a.clone(), "nap"), (b.clone(), "nap")]).await;
    assert!(t < Duration::from_millis(190), "two servants serialised: {t:?}");
    assert_eq!(c.invoke(&a, "nap", &[], D).await.unwrap(), "4", "state kept across parked calls");
    // A parked call is cut short by its deadline; the thread serves on.
    let t0 = Instant::now();
    let cut = c.invoke(&b, "long", &[], Duration::from_millis(150)).await;
    assert!(matches!(&cut, Err(CallError::Timeout) | Err(CallError::Failed(_))), "{cut:?}");
    assert_eq!(c.invoke(&b, "nap", &[], D).await.unwrap(), "2");
    assert!(t0.elapsed() < Duration::from_millis(600), "{:?}", t0.elapsed());
}
