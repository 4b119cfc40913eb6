//! The node's metrics as Prometheus text (`/metrics` on the dashboard's
//! port), every name prefixed `itinerant_`: agents by state and runnable
//! (gauges), spawns, migrations in and out with their latency, messages in
//! and out, forwarded messages, refusals by reason (the runtime's counters,
//! `itinerant_core::observe`, read at each scrape), and object invocations
//! by adapter with their latency (counted here, as calls are answered).
//! `prometheus-client` encodes; the values are read at scrape time by one
//! collector, so nothing is counted twice.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use itinerant_core::observe::{Histogram, HistogramSnapshot, Snapshot, LATENCY_BUCKETS};
use itinerant_core::{AgentState, Runtime};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, MetricEncoder};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::objects::Answer;

/// Distinct adapters counted (later ones share the label `other`): a
/// label's values must stay few.
const MAX_ADAPTERS: usize = 64;

#[derive(Debug, Default)]
struct AdapterStats {
    calls: u64,
    latency: Histogram,
}

/// Object invocations served here, by adapter: count and latency.
#[derive(Debug, Default)]
pub struct Invocations {
    by_adapter: Mutex<BTreeMap<String, AdapterStats>>,
}

impl Invocations {
    /// Wraps a call's answer so that the call is counted when answered.
    pub fn counting(self: &Arc<Self>, adapter: &str, answer: Answer) -> Answer {
        let (me, adapter, started) = (self.clone(), adapter.to_owned(), Instant::now());
        Box::new(move |outcome, cookie| {
            me.record(&adapter, started);
            answer(outcome, cookie)
        })
    }

    fn record(&self, adapter: &str, started: Instant) {
        let mut map = self.by_adapter.lock().unwrap_or_else(|e| e.into_inner());
        let key = match map.contains_key(adapter) || map.len() < MAX_ADAPTERS {
            true => adapter,
            false => "other",
        };
        let stats = map.entry(key.to_owned()).or_default();
        stats.calls += 1;
        stats.latency.observe(started.elapsed());
    }

    /// Per adapter: calls and their latency.
    pub fn per_adapter(&self) -> Vec<(String, u64, HistogramSnapshot)> {
        let map = self.by_adapter.lock().unwrap_or_else(|e| e.into_inner());
        map.iter().map(|(name, s)| (name.clone(), s.calls, s.latency.snapshot())).collect()
    }
}

/// Everything `/metrics` shows, read at one moment.
#[derive(Debug)]
pub struct Reading {
    pub counters: Snapshot,
    pub by_state: Vec<(AgentState, usize)>,
    pub runnable: usize,
    pub invocations: Vec<(String, u64, HistogramSnapshot)>,
}

impl Reading {
    pub fn take(runtime: &Runtime, invocations: &Invocations) -> Reading {
        Reading {
            counters: runtime.counters(),
            by_state: runtime.agents_by_state(),
            runnable: runtime.load().runnable,
            invocations: invocations.per_adapter(),
        }
    }

    /// The Prometheus text exposition (OpenMetrics flavour, `# EOF` last).
    pub fn encode(self) -> String {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(self));
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
        text
    }
}

fn counter(e: &mut DescriptorEncoder, name: &str, help: &str, v: u64) -> Result<(), std::fmt::Error> {
    let c = ConstCounter::new(v);
    c.encode(e.encode_descriptor(name, help, None, c.metric_type())?)
}

fn histogram(m: MetricEncoder, h: &HistogramSnapshot) -> Result<(), std::fmt::Error> {
    let mut m = m;
    let mut buckets: Vec<(f64, u64)> = LATENCY_BUCKETS.iter().copied().zip(h.buckets).collect();
    buckets.push((f64::MAX, h.buckets[LATENCY_BUCKETS.len()]));
    m.encode_histogram::<prometheus_client::encoding::NoLabelSet>(h.sum_secs, h.count(), &buckets, None)
}

impl Collector for Reading {
    fn encode(&self, mut e: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let c = &self.counters;
        let mut by_state =
            e.encode_descriptor("itinerant_agents", "Agents living on this node, by state", None, MetricType::Gauge)?;
        for (state, n) in &self.by_state {
            let labels = [("state", state.name())];
            ConstGauge::new(*n as i64).encode(by_state.encode_family(&labels)?)?;
        }
        let g = ConstGauge::new(self.runnable as i64);
        g.encode(e.encode_descriptor(
            "itinerant_runnable_agents",
            "Agents queued or running",
            None,
            g.metric_type(),
        )?)?;
        counter(&mut e, "itinerant_spawns", "Agents created on this node", c.spawns)?;
        counter(&mut e, "itinerant_migrations_in", "Agents that arrived from another node", c.migrations_in)?;
        counter(&mut e, "itinerant_migrations_out", "Agents that left for another node", c.migrations_out)?;
        let m = e.encode_descriptor(
            "itinerant_migration_latency_seconds",
            "From freezing a departing agent to its destination's acceptance",
            None,
            MetricType::Histogram,
        )?;
        histogram(m, &c.migration_latency)?;
        counter(&mut e, "itinerant_messages_in", "Messages delivered to agents on this node", c.messages_in)?;
        counter(&mut e, "itinerant_messages_out", "Messages sent on to another node", c.messages_out)?;
        counter(&mut e, "itinerant_messages_forwarded", "Messages that followed an agent that moved", c.forwarded)?;
        let mut refused =
            e.encode_descriptor("itinerant_refused", "Actions the node refused, by reason", None, MetricType::Counter)?;
        for (why, n) in &c.refused {
            let labels = [("reason", why.name())];
            ConstCounter::new(*n).encode(refused.encode_family(&labels)?)?;
        }
        let mut calls = e.encode_descriptor(
            "itinerant_object_invocations",
            "Object calls served here, by adapter",
            None,
            MetricType::Counter,
        )?;
        for (adapter, n, _) in &self.invocations {
            let labels = [("adapter", adapter.as_str())];
            ConstCounter::new(*n).encode(calls.encode_family(&labels)?)?;
        }
        let mut latency = e.encode_descriptor(
            "itinerant_object_invocation_latency_seconds",
            "Object calls served here, from arrival to answer, by adapter",
            None,
            MetricType::Histogram,
        )?;
        for (adapter, _, h) in &self.invocations {
            let labels = [("adapter", adapter.as_str())];
            histogram(latency.encode_family(&labels)?, h)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use itinerant_core::observe::Counters;
    use std::time::Duration;

    #[test]
    fn text_names_every_series_with_its_labels() {
        let counters = Counters::default();
        counters.spawns.fetch_add(3, std::sync::atomic::Ordering::Relaxed);
        counters.refused(itinerant_core::observe::Refusal::MailboxFull);
        counters.migration_latency.observe(Duration::from_millis(2));
        let inv = Invocations::default();
        inv.record("shop", Instant::now() - Duration::from_millis(30));
        let text = Reading {
            counters: counters.snapshot(),
            by_state: vec![(AgentState::Active, 2), (AgentState::Waiting, 0)],
            runnable: 1,
            invocations: inv.per_adapter(),
        }
        .encode();
        for line in [
            "itinerant_agents{state=\"active\"} 2",
            "itinerant_runnable_agents 1",
            "itinerant_spawns_total 3",
            "itinerant_refused_total{reason=\"mailbox_full\"} 1",
            "itinerant_refused_total{reason=\"policy\"} 0",
            "itinerant_migration_latency_seconds_count 1",
            "itinerant_migration_latency_seconds_bucket{le=\"0.0025\"} 1",
            "itinerant_migration_latency_seconds_bucket{le=\"0.001\"} 0",
            "itinerant_object_invocations_total{adapter=\"shop\"} 1",
            "itinerant_object_invocation_latency_seconds_count{adapter=\"shop\"} 1",
            "itinerant_object_invocation_latency_seconds_bucket{le=\"+Inf\",adapter=\"shop\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "no line {line:?} in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn adapters_past_the_bound_share_one_label() {
        let inv = Invocations::default();
        for i in 0..MAX_ADAPTERS + 3 {
            inv.record(&format!("a{i}"), Instant::now());
        }
        let rows = inv.per_adapter();
        assert_eq!(rows.len(), MAX_ADAPTERS + 1);
        assert!(rows.iter().any(|(name, calls, _)| name == "other" && *calls == 3));
    }
}
