//! The seed's table "three ways to construct a server", measured: the
//! same Tcl servants under the three server organisations (iterative,
//! threaded = dispatcher/workers, event-driven = finite-state machine),
//! for a blocking workload (each call waits 10 ms) and a CPU workload.
//! Run: scripts/bench-server-models.sh (env: BENCH_SECS, BENCH_RUNS).

use std::time::Duration;

use itinerant_bench_grpc::{closed_loop, env_or, median, Stats};
use itinerant_node::node::{Node, NodeConfig};
use itinerant_node::objects::client::ObjectClient;
use itinerant_node::objects::reference::ObjectRef;
use itinerant_node::objects::servant::Body;

/// Objects per adapter (calls to one object run one at a time).
const OBJECTS: usize = 16;
/// Callers at once.
const CONCURRENCY: usize = 16;
const SERVANT: &str = "proc wait {} { after 10; return ok }\n\
    proc work {} { set s 0; for {set i 0} {$i < 3000} {incr i} { incr s $i }; return $s }";

const MODELS: [(&str, &str, &str); 3] = [
    ("iterative", "organisation=iterative", "no parallelism, blocking calls"),
    ("threaded", "organisation=threaded threading=per-object", "parallelism, blocking calls"),
    ("event", "organisation=event threading=per-object", "parallelism, non-blocking calls"),
];

async fn measure(client: &ObjectClient, adapter: &str, method: &'static str, time: Duration) -> Stats {
    let targets: Vec<ObjectRef> =
        (0..OBJECTS).map(|i| ObjectRef::parse(&format!("itin://models/{adapter}/o{i}")).unwrap()).collect();
    let client = client.clone();
    closed_loop(CONCURRENCY, time, move |worker| {
        let (client, target) = (client.clone(), targets[worker % OBJECTS].clone());
        async move {
            client.invoke(&target, method, &[], Duration::from_secs(30)).await.map(drop).map_err(|e| e.to_string())
        }
    })
    .await
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let time = Duration::from_secs(env_or("BENCH_SECS", 2));
    let runs = env_or("BENCH_RUNS", 3) as usize;
    let node = Node::start(NodeConfig::new("models", "127.0.0.1:0".parse().unwrap())).await?;
    for (name, policy, _) in MODELS {
        node.objects().create_adapter(name, policy)?;
        for i in 0..OBJECTS {
            node.objects().add_object(name, &format!("o{i}"), Body::Tcl(SERVANT.into()), Vec::new())?;
        }
    }
    let client = ObjectClient::connect(node.addr(), "bench").await?;
    println!("{CONCURRENCY} callers, {OBJECTS} objects per adapter, {runs} runs of {time:?}, medians");
    println!("| organisation | seed's characteristics | blocking (wait 10 ms): calls/s | p50 | p99 | CPU (3,000-iteration loop): calls/s | p50 | p99 |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut results = Vec::new();
    for (name, _, seed) in MODELS {
        let mut blocking = Vec::new();
        let mut cpu = Vec::new();
        for _ in 0..runs {
            blocking.push(measure(&client, name, "wait", time).await);
            cpu.push(measure(&client, name, "work", time).await);
        }
        let (b, c) = (median(blocking), median(cpu));
        println!(
            "| {name} | {seed} | {:.0} | {} | {} | {:.0} | {} | {} |",
            b.per_sec,
            itinerant_bench_grpc::micros(b.p50),
            itinerant_bench_grpc::micros(b.p99),
            c.per_sec,
            itinerant_bench_grpc::micros(c.p50),
            itinerant_bench_grpc::micros(c.p99)
        );
        results.push((name, b, c));
    }
    let (ib, ic) = (&results[0].1, &results[0].2);
    for (name, b, c) in &results[1..] {
        println!("{name} / iterative: blocking {:.1}x, CPU {:.2}x", b.per_sec / ib.per_sec, c.per_sec / ic.per_sec);
    }
    node.stop();
    Ok(())
}
