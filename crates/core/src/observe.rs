//! What a node shows about itself, as plain data: counters of the events
//! that happen in the runtime (spawns, migrations, messages, refusals), a
//! latency histogram, the recent ACL messages for the sniffer, and an
//! agent's itinerary. The runtime counts where the events happen
//! (`runtime/observe.rs`); the node turns a [`Snapshot`] into Prometheus
//! text and the dashboard's views. Nothing here knows HTTP or Prometheus.
//!
//! Everything is bounded: counters are fixed fields, refusals a fixed set
//! of reasons, the sniffer a ring of [`SNIFF_RING`] messages, an
//! itinerary its latest [`MAX_HOPS`] hops.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Messages the sniffer keeps (the dashboard reads them by sequence number).
pub const SNIFF_RING: usize = 1024;
/// Hops an itinerary keeps (the oldest are dropped, the count kept).
pub const MAX_HOPS: usize = 64;
/// Upper bounds (seconds) of the latency histograms' buckets.
pub const LATENCY_BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

/// Why the runtime refused something (a fixed set: a metric label).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The owner's grant or the node's policy (signature, admission, exec, register).
    Policy,
    /// The node holds its quota of agents.
    AgentQuota,
    /// An agent has its quota of children outstanding.
    ForkQuota,
    /// A message past the sender's or receiver's size quota.
    MessageSize,
    /// A full mailbox.
    MailboxFull,
    /// The node is draining.
    Draining,
}

impl Refusal {
    pub const ALL: [Refusal; 6] = [
        Refusal::Policy,
        Refusal::AgentQuota,
        Refusal::ForkQuota,
        Refusal::MessageSize,
        Refusal::MailboxFull,
        Refusal::Draining,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Refusal::Policy => "policy",
            Refusal::AgentQuota => "agent_quota",
            Refusal::ForkQuota => "fork_quota",
            Refusal::MessageSize => "message_size",
            Refusal::MailboxFull => "mailbox_full",
            Refusal::Draining => "draining",
        }
    }
}

/// A histogram of durations with fixed buckets ([`LATENCY_BUCKETS`]),
/// lock-free.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Per bucket (not cumulative); the last one is past every bound.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_us: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let i = LATENCY_BUCKETS.iter().position(|b| secs <= *b).unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> HistogramSnapshot {
        HistogramSnapshot {
            buckets: std::array::from_fn(|i| self.buckets[i].load(Ordering::Relaxed)),
            sum_secs: self.sum_us.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

/// A histogram read at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistogramSnapshot {
    /// Per bucket (not cumulative), the last past every bound.
    pub buckets: [u64; LATENCY_BUCKETS.len() + 1],
    pub sum_secs: f64,
}

impl HistogramSnapshot {
    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// The runtime's event counters.
#[derive(Debug, Default)]
pub struct Counters {
    pub spawns: AtomicU64,
    pub migrations_in: AtomicU64,
    pub migrations_out: AtomicU64,
    /// From freezing a departing agent to the destination's acceptance.
    pub migration_latency: Histogram,
    /// Messages that reached an agent living here.
    pub messages_in: AtomicU64,
    /// Messages sent on to another node.
    pub messages_out: AtomicU64,
    /// Of those, messages that followed an agent that had moved away.
    pub forwarded: AtomicU64,
    refused: [AtomicU64; Refusal::ALL.len()],
}

impl Counters {
    pub fn refused(&self, why: Refusal) {
        self.refused[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Snapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Snapshot {
            spawns: get(&self.spawns),
            migrations_in: get(&self.migrations_in),
            migrations_out: get(&self.migrations_out),
            migration_latency: self.migration_latency.snapshot(),
            messages_in: get(&self.messages_in),
            messages_out: get(&self.messages_out),
            forwarded: get(&self.forwarded),
            refused: Refusal::ALL.map(|r| (r, get(&self.refused[r as usize]))),
        }
    }
}

/// The counters read at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub spawns: u64,
    pub migrations_in: u64,
    pub migrations_out: u64,
    pub migration_latency: HistogramSnapshot,
    pub messages_in: u64,
    pub messages_out: u64,
    pub forwarded: u64,
    pub refused: [(Refusal, u64); Refusal::ALL.len()],
}

/// An ACL message seen on this node: delivered to an agent here, or sent
/// by an agent here to one elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sniffed {
    /// Increases by one per message seen on this node.
    pub seq: u64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
    pub from: String,
    pub to: String,
    pub performative: String,
    pub conversation: String,
    pub content: String,
}

/// The sniffer's ring of recent ACL messages.
#[derive(Debug, Default)]
pub struct Sniffer {
    ring: Mutex<(u64, VecDeque<Sniffed>)>,
}

/// Content shown per sniffed message (the rest is cut).
const SNIFF_CONTENT: usize = 200;

impl Sniffer {
    pub fn record(&self, from: &str, to: &str, performative: &str, conversation: &str, content: &str) {
        let mut cut = content.len().min(SNIFF_CONTENT);
        while !content.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut g = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += 1;
        let m = Sniffed {
            seq: g.0,
            at_ms: now_ms(),
            from: from.to_owned(),
            to: to.to_owned(),
            performative: performative.to_owned(),
            conversation: conversation.to_owned(),
            content: content[..cut].to_owned(),
        };
        if g.1.len() == SNIFF_RING {
            g.1.pop_front();
        }
        g.1.push_back(m);
    }

    /// The messages seen after sequence number `after`, oldest first.
    pub fn since(&self, after: u64) -> Vec<Sniffed> {
        let g = self.ring.lock().unwrap_or_else(|e| e.into_inner());
        g.1.iter().filter(|m| m.seq > after).cloned().collect()
    }
}

/// One stay of an agent on a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hop {
    /// The node, as an index into its itinerary's names (an itinerary
    /// names few nodes many times, and travels with the agent on every
    /// hop: plain data copies and decodes without touching a counter).
    pub node: u8,
    /// Milliseconds since the Unix epoch.
    pub arrived_ms: u64,
    /// When it left (known on arrival at the next node); none: still there.
    pub left_ms: Option<u64>,
}

/// Where an agent has been, oldest first: its latest [`MAX_HOPS`] hops and
/// how many older ones were dropped. Invariants: at most `MAX_HOPS` hops
/// and names, every hop's `node` indexes `names`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Itinerary {
    /// Boxed, not a `Vec`: new names are rare, and every agent's slot
    /// holds an itinerary.
    names: Box<[Arc<str>]>,
    hops: Vec<Hop>,
    pub dropped: u64,
}

impl Itinerary {
    /// The agent is on `node` from `at_ms` on; the previous stay ends then.
    /// (A node passes its own name's `Arc`, which its agents then share.)
    pub fn arrive(&mut self, node: &Arc<str>, at_ms: u64) {
        if let Some(last) = self.hops.last_mut() {
            last.left_ms.get_or_insert(at_ms);
        }
        if self.hops.len() == MAX_HOPS {
            self.hops.remove(0);
            self.dropped += 1;
        }
        if self.hops.is_empty() {
            // Most agents never move: room for one hop, not Vec's first four.
            self.hops.reserve_exact(1);
        }
        let node = self.name_index(node, || node.clone());
        self.hops.push(Hop { node, arrived_ms: at_ms, left_ms: None });
    }

    /// Appends a hop as read back (decoders, tests); `None` when the
    /// itinerary is full.
    pub fn push(&mut self, node: &str, arrived_ms: u64, left_ms: Option<u64>) -> Option<()> {
        if self.hops.len() == MAX_HOPS {
            return None;
        }
        let node = self.name_index(node, || Arc::from(node));
        self.hops.push(Hop { node, arrived_ms, left_ms });
        Some(())
    }

    /// Builds an itinerary from its parts as encoded; `None` unless they
    /// keep the invariants.
    pub fn from_parts(names: Vec<Arc<str>>, hops: Vec<Hop>, dropped: u64) -> Option<Itinerary> {
        let valid =
            names.len() <= MAX_HOPS && hops.len() <= MAX_HOPS && hops.iter().all(|h| usize::from(h.node) < names.len());
        valid.then(|| Itinerary { names: names.into(), hops, dropped })
    }

    pub fn hops(&self) -> &[Hop] {
        &self.hops
    }

    /// The node names the hops index, in the order they were first named.
    pub fn names(&self) -> &[Arc<str>] {
        &self.names
    }

    /// The name of the node of `hop` (one of this itinerary's).
    pub fn node_of(&self, hop: &Hop) -> &str {
        self.names.get(usize::from(hop.node)).map_or("", |n| n)
    }

    /// The index of `node` among the names, added (as `name()`) if new;
    /// names no hop uses any more are dropped first when the table is full.
    fn name_index(&mut self, node: &str, name: impl FnOnce() -> Arc<str>) -> u8 {
        if let Some(i) = self.names.iter().position(|n| **n == *node) {
            return i as u8;
        }
        let mut names = std::mem::take(&mut self.names).into_vec();
        if names.len() == MAX_HOPS {
            let mut used = [false; MAX_HOPS];
            for h in &self.hops {
                used[usize::from(h.node)] = true;
            }
            let mut renumbered = [0u8; MAX_HOPS];
            let mut kept = 0;
            for (i, name) in std::mem::take(&mut names).into_iter().enumerate() {
                if used[i] {
                    renumbered[i] = kept;
                    kept += 1;
                    names.push(name);
                }
            }
            for h in &mut self.hops {
                h.node = renumbered[usize::from(h.node)];
            }
        }
        names.push(name());
        self.names = names.into_boxed_slice();
        (self.names.len() - 1) as u8
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_and_sum() {
        let h = Histogram::default();
        h.observe(Duration::from_micros(300));
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(9));
        let s = h.snapshot();
        assert_eq!(s.count(), 3);
        assert_eq!(s.buckets[0], 1);
        assert_eq!(s.buckets[3], 1);
        assert_eq!(s.buckets[LATENCY_BUCKETS.len()], 1);
        assert!((s.sum_secs - 9.0033).abs() < 1e-6);
    }

    #[test]
    fn refusals_counted_by_reason() {
        let c = Counters::default();
        c.refused(Refusal::MailboxFull);
        c.refused(Refusal::MailboxFull);
        c.refused(Refusal::Draining);
        let s = c.snapshot();
        assert!(s.refused.contains(&(Refusal::MailboxFull, 2)));
        assert!(s.refused.contains(&(Refusal::Draining, 1)));
        assert!(s.refused.contains(&(Refusal::Policy, 0)));
    }

    #[test]
    fn sniffer_is_a_bounded_ring_read_by_sequence() {
        let s = Sniffer::default();
        for i in 0..SNIFF_RING + 5 {
            s.record("1@a", "2@b", "inform", &format!("c{i}"), &"x".repeat(500));
        }
        let all = s.since(0);
        assert_eq!(all.len(), SNIFF_RING);
        assert_eq!(all[0].seq, 6);
        assert_eq!(all[0].content.len(), SNIFF_CONTENT);
        assert_eq!(s.since(all[SNIFF_RING - 2].seq).len(), 1);
    }

    #[test]
    fn itinerary_closes_the_previous_stay_and_keeps_the_latest_hops() {
        let mut it = Itinerary::default();
        it.arrive(&"a".into(), 10);
        it.arrive(&"b".into(), 20);
        assert_eq!(it.hops[0], Hop { node: 0, arrived_ms: 10, left_ms: Some(20) });
        assert_eq!(it.node_of(&it.hops[0]), "a");
        assert_eq!(it.hops[1].left_ms, None);
        let c: Arc<str> = "c".into();
        for i in 0..MAX_HOPS as u64 {
            it.arrive(&c, 30 + i);
        }
        assert_eq!(it.hops.len(), MAX_HOPS);
        assert_eq!(it.dropped, 2);
        assert_eq!(it.node_of(&it.hops[0]), "c");
        assert_eq!(it.names().len(), 3, "one name per node");
    }

    /// A tour of ever new nodes keeps at most `MAX_HOPS` names: those no
    /// hop uses any more go, and the hops still name their nodes.
    #[test]
    fn itinerary_names_stay_bounded_on_a_long_tour() {
        let mut it = Itinerary::default();
        for i in 0..(3 * MAX_HOPS as u64) {
            it.arrive(&format!("n{i}").into(), i);
            assert!(it.names().len() <= MAX_HOPS);
        }
        assert_eq!(it.hops().len(), MAX_HOPS);
        for (k, h) in it.hops().iter().enumerate() {
            assert_eq!(it.node_of(h), format!("n{}", 2 * MAX_HOPS + k));
            assert_eq!(h.arrived_ms, (2 * MAX_HOPS + k) as u64);
        }
        assert!(it.push("x", 0, None).is_none(), "full");
    }
}
