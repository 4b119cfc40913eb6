//! How many agent-location writes etcd takes per second on this machine,
//! without nodes competing for the CPU (docs/SCALE.md): CONCURRENCY
//! writers each run the directory's compare-and-swap (`cluster/etcd.rs`)
//! on keys of their own, rising epochs, for SECS seconds.
//!
//!   cargo run --profile ci -p itinerant-node --example etcd_writes -- 127.0.0.1:2379 64 10

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use etcd_client::{Client, Compare, CompareOp, Txn, TxnOp};
use itinerant_node::cluster::records::Location;

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let endpoint = args.get(1).cloned().unwrap_or_else(|| "127.0.0.1:2379".into());
    let concurrency: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(64);
    let secs: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(10);
    let client = Client::connect([endpoint.as_str()], None).await.map_err(|e| e.to_string())?;
    let done = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(secs);
    let mut writers = Vec::new();
    let mut latencies = Vec::new();
    for w in 0..concurrency {
        let (mut client, done) = (client.clone(), done.clone());
        writers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut epoch = 0u64;
            while Instant::now() < end {
                epoch += 1;
                let key = format!("/bench/loc/n{}/{}@n{}", w % 40, w, w % 40);
                let value = Location { node: format!("n{}", epoch % 40), epoch, lost: false }.encode();
                let newer = Txn::new()
                    .when(vec![Compare::value(key.clone(), CompareOp::Less, Location::fence(epoch))])
                    .and_then(vec![TxnOp::put(key.clone(), value.clone(), None)]);
                let txn = Txn::new()
                    .when(vec![Compare::version(key.clone(), CompareOp::Equal, 0)])
                    .and_then(vec![TxnOp::put(key.clone(), value, None)])
                    .or_else(vec![TxnOp::txn(newer)]);
                let t = Instant::now();
                if client.txn(txn).await.is_ok() {
                    done.fetch_add(1, Ordering::Relaxed);
                    lat.push(t.elapsed());
                }
            }
            lat
        }));
    }
    for w in writers {
        latencies.extend(w.await.map_err(|e| e.to_string())?);
    }
    latencies.sort();
    let at = |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)));
    println!(
        "{{\"concurrency\": {concurrency}, \"writes_per_s\": {:.0}, \"latency_ms_median\": {:.1}, \"latency_ms_p99\": {:.1}}}",
        done.load(Ordering::Relaxed) as f64 / secs as f64,
        at(0.5).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0),
        at(0.99).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0),
    );
    Ok(())
}
