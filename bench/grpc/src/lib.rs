//! What the benchmark programs share: closed-loop load (a number of
//! callers, each calling again as soon as its answer comes) measured for a
//! fixed time, summarised as throughput and latency percentiles.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One measurement.
#[derive(Clone, Debug)]
pub struct Stats {
    pub calls: usize,
    pub per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
}

impl Stats {
    pub fn row(&self) -> String {
        format!("{:>10.0} calls/s  p50 {:>9}  p99 {:>9}", self.per_sec, micros(self.p50), micros(self.p99))
    }
}

pub fn micros(d: Duration) -> String {
    format!("{:.0} us", d.as_secs_f64() * 1e6)
}

/// Runs `concurrency` callers, each calling `call` in a loop for `time`
/// (after a short warm-up); every call must succeed.
pub async fn closed_loop<F, Fut>(concurrency: usize, time: Duration, call: F) -> Stats
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let call = Arc::new(call);
    let warm_end = Instant::now() + time / 10;
    let end = warm_end + time;
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    return latencies;
                }
                if let Err(e) = call(worker).await {
                    panic!("call failed: {e}");
                }
                if t0 >= warm_end {
                    latencies.push(t0.elapsed());
                }
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("a caller panicked"));
    }
    all.sort();
    let pick = |q: f64| all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).copied();
    Stats {
        calls: all.len(),
        per_sec: all.len() as f64 / time.as_secs_f64(),
        p50: pick(0.5).unwrap_or_default(),
        p99: pick(0.99).unwrap_or_default(),
    }
}

/// The median of some measurements, by throughput.
pub fn median(mut runs: Vec<Stats>) -> Stats {
    runs.sort_by(|a, b| a.per_sec.total_cmp(&b.per_sec));
    runs[runs.len() / 2].clone()
}

/// A number from the environment, else `default`.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
