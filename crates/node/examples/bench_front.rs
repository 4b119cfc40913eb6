//! Throughput of a front tier and of client caching (run by
//! `scripts/bench-front.sh`; figures in `docs/BENCHMARKS.md`). Every node
//! runs in this process, on loopback:
//!
//! - 1 front + 3 back ends, 48 clients (a session and a servant each),
//!   relay against handoff, with answers of 16 B
//!   and of 16 kB (the front the bottleneck: in relay every answer passes
//!   through it) and with back ends that take 20 ms a call (the back ends
//!   the bottleneck);
//! - a read-heavy workload (95% reads, 5% writes over 16 objects) on one
//!   server, without client caching and with it (strict and relaxed).
//!
//! Each measurement runs `$BENCH_SECS` seconds (default 3); the whole set
//! `$BENCH_RUNS` times (default 3), the cases of one run one after the
//! other, so each ratio is of figures measured in the same run; printed:
//! each run's figures, then medians.
//! Usage: cargo run --release -p itinerant-node --example bench_front

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use itinerant_node::front::config::FrontConfig;
use itinerant_node::node::{Node, NodeConfig};
use itinerant_node::objects::client::ObjectClient;
use itinerant_node::objects::reference::ObjectRef;
use itinerant_node::objects::servant::Body;

// The same allocator as `itin` (crates/cli/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLIENTS: usize = 48;
const TASKS_PER_CLIENT: usize = 1;
const D: Duration = Duration::from_secs(30);

fn config(name: &str) -> NodeConfig {
    let mut c = NodeConfig::new(name, "127.0.0.1:0".parse().unwrap());
    c.runtime.workers = 1;
    c
}

async fn start_backends() -> Result<Vec<Arc<Node>>, String> {
    let mut out = Vec::new();
    for name in ["b1", "b2", "b3"] {
        let n = Arc::new(Node::start(config(name)).await?);
        let o = n.objects();
        o.create_adapter("svc", "threading=per-request instance=session")?;
        let script = "proc small {} { return 0123456789abcdef }\n\
                      proc big {} { string repeat x 16384 }\n\
                      proc slow {} { after 20; return ok }";
        o.add_object("svc", "x", Body::Tcl(script.into()), Vec::new())?;
        out.push(n);
    }
    Ok(out)
}

async fn start_front(name: &str, mode: &str, backs: &[Arc<Node>]) -> Result<Arc<Node>, String> {
    let text = format!(
        "[[service]]\nadapter = \"svc\"\nbackends = [\"b1\", \"b2\", \"b3\"]\nmode = \"{mode}\"\npolicy = \"round-robin\"\n"
    );
    let mut c = config(name);
    c.front = Some(FrontConfig::parse(&text)?);
    let f = Arc::new(Node::start(c).await?);
    for b in backs {
        f.add_peer(b.runtime().node(), b.addr());
        b.add_peer(name, f.addr());
    }
    Ok(f)
}

/// Calls per second of `CLIENTS` clients × `TASKS_PER_CLIENT` callers
/// calling `method` of `target` through `node` for `secs`.
async fn throughput(node: &Node, target: &ObjectRef, method: &str, secs: Duration) -> Result<f64, String> {
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        clients.push(ObjectClient::connect(node.addr(), &format!("client-{i}")).await?);
    }
    // Warm up: sessions' servants made, handoffs done.
    for c in &clients {
        c.invoke(target, method, &[], D).await.map_err(|e| e.to_string())?;
    }
    let done = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for c in &clients {
        for _ in 0..TASKS_PER_CLIENT {
            let (c, target, method, done) = (c.clone(), target.clone(), method.to_owned(), done.clone());
            set.spawn(async move {
                while t0.elapsed() < secs {
                    if c.invoke(&target, &method, &[], D).await.is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    }
    while set.join_next().await.is_some() {}
    Ok(done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64())
}

const ACCOUNT: &str =
    "set readonly {get}\nset n 0\nproc get {} { global n; return $n }\nproc add {k} { global n; incr n $k }";
const OBJECTS: usize = 16;
const READERS: usize = 8;

/// Operations per second and hit rate of `READERS` clients, each doing
/// 95% `get` and 5% `add 1` over `OBJECTS` objects, for `secs`.
async fn read_heavy(server: &Node, adapter: &str, caching: bool, secs: Duration) -> Result<(f64, f64), String> {
    let mut clients = Vec::new();
    for i in 0..READERS {
        let c = ObjectClient::connect(server.addr(), &format!("reader-{i}")).await?;
        c.set_caching(caching);
        clients.push(c);
    }
    let node = server.runtime().node().to_owned();
    let targets: Vec<ObjectRef> =
        (0..OBJECTS).map(|i| ObjectRef::new(&node, adapter, &format!("o{i}")).unwrap()).collect();
    let done = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for (i, c) in clients.iter().enumerate() {
        let (c, targets, done) = (c.clone(), targets.clone(), done.clone());
        set.spawn(async move {
            // A fixed pseudo-random sequence per client (LCG).
            let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ (i as u64 + 1);
            while t0.elapsed() < secs {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let object = &targets[(seed >> 33) as usize % OBJECTS];
                let write = (seed >> 20) % 100 < 5;
                let r = match write {
                    true => c.invoke(object, "add", &["1".into()], D).await,
                    false => c.invoke(object, "get", &[], D).await,
                };
                if r.is_ok() {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while set.join_next().await.is_some() {}
    let ops = done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64();
    let (mut hits, mut lookups) = (0, 0);
    for c in &clients {
        let s = c.cache_stats();
        hits += s.hits;
        lookups += s.hits + s.misses + s.revalidations;
    }
    Ok((ops, if lookups == 0 { 0.0 } else { hits as f64 / lookups as f64 }))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let secs = Duration::from_secs(std::env::var("BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(3));
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let backs = start_backends().await?;
    let relay = start_front("relay", "relay", &backs).await?;
    let hand = start_front("hand", "handoff", &backs).await?;
    let server = Arc::new(Node::start(config("srv")).await?);
    for (adapter, policy) in [
        ("plain", "threading=per-object"),
        ("strict", "threading=per-object caching=strict:2000"),
        ("relaxed", "threading=per-object caching=relaxed:200"),
    ] {
        server.objects().create_adapter(adapter, policy)?;
        for i in 0..OBJECTS {
            server.objects().add_object(adapter, &format!("o{i}"), Body::Tcl(ACCOUNT.into()), Vec::new())?;
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!(
        "front: {CLIENTS} clients x {TASKS_PER_CLIENT} callers; read-heavy: {READERS} clients, {OBJECTS} objects, 95% reads; {secs:?} each, {runs} runs"
    );
    let cases = ["small", "big", "slow"];
    let mut table: Vec<(String, Vec<f64>)> = Vec::new();
    let mut put = |name: String, v: f64| match table.iter_mut().find(|(n, _)| *n == name) {
        Some((_, vs)) => vs.push(v),
        None => table.push((name, vec![v])),
    };
    for run in 1..=runs {
        for method in cases {
            let r = throughput(&relay, &ObjectRef::new("relay", "svc", "x")?, method, secs).await?;
            let h = throughput(&hand, &ObjectRef::new("hand", "svc", "x")?, method, secs).await?;
            println!(
                "run {run} {method:>5}: relay {r:>8.0} calls/s, handoff {h:>8.0} calls/s, handoff/relay {:.2}",
                h / r
            );
            put(format!("{method} relay calls/s"), r);
            put(format!("{method} handoff calls/s"), h);
            put(format!("{method} handoff/relay"), h / r);
        }
        let (plain, _) = read_heavy(&server, "plain", false, secs).await?;
        let (strict, strict_hits) = read_heavy(&server, "strict", true, secs).await?;
        let (relaxed, relaxed_hits) = read_heavy(&server, "relaxed", true, secs).await?;
        println!(
            "run {run} 95% reads: no cache {plain:.0} ops/s, strict {strict:.0} ops/s (hit rate {:.1}%, x{:.1}), relaxed {relaxed:.0} ops/s (hit rate {:.1}%, x{:.1})",
            strict_hits * 100.0,
            strict / plain,
            relaxed_hits * 100.0,
            relaxed / plain
        );
        put("95% reads, no cache ops/s".into(), plain);
        put("95% reads, strict cache ops/s".into(), strict);
        put("95% reads, strict cache hit rate".into(), strict_hits);
        put("95% reads, strict/no cache".into(), strict / plain);
        put("95% reads, relaxed cache ops/s".into(), relaxed);
        put("95% reads, relaxed cache hit rate".into(), relaxed_hits);
        put("95% reads, relaxed/no cache".into(), relaxed / plain);
    }
    println!("medians of {runs} runs:");
    for (name, vs) in table {
        let m = median(vs);
        match m < 10.0 {
            true => println!("  {name:<36} {m:.2}"),
            false => println!("  {name:<36} {m:.0}"),
        }
    }
    Ok(())
}
