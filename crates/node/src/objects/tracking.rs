//! Server-side tracking of client copies (AFS callbacks, NFSv4
//! delegations, with leases) as pure state, time passed in:
//!
//! - [`Tracker`]: per object, which holders (call channels, nodes) have a
//!   copy of a read-only call's result and until when (their lease); the
//!   object's version, raised by every mutating call;
//! - [`Recalls`]: the invalidations a strict mutating call waits for: it
//!   returns when every holder acknowledged or its lease ran out.
//!
//! A read is granted a lease only if no mutation ended since the read was
//! submitted (its version is still current): a read racing a write never
//! leaves a copy the write's invalidation missed. After a restart the
//! table is empty though copies from before may live on: a restored
//! adapter is in its grace period (one lease) during which strict
//! mutations wait for its end, so those copies expire first.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// Most objects tracked per adapter, and holders per object: over it, a
/// read is answered without a lease (not cached).
pub const MAX_TRACKED_OBJECTS: usize = 100_000;
pub const MAX_HOLDERS: usize = 1024;
/// Longest lease an adapter may grant.
pub const MAX_LEASE: Duration = Duration::from_secs(600);

/// How mutations reach the copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consistency {
    /// A mutating call returns after every copy was invalidated
    /// (acknowledged) or its lease ran out.
    Strict,
    /// A mutating call returns at once; invalidations are sent, and
    /// leases are the bound, so no copy is stale for longer.
    Relaxed,
}

/// An adapter's caching policy (`caching=strict:MS` / `relaxed:MS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caching {
    pub consistency: Consistency,
    /// Strict: how long a copy is held without a call; relaxed: the bound.
    pub lease: Duration,
}

impl Caching {
    pub fn parse(value: &str) -> Result<Caching, String> {
        let bad = || format!("bad caching \"{value}\": want strict:MS or relaxed:MS (MS 1..600000)");
        let (mode, ms) = value.split_once(':').ok_or_else(bad)?;
        let consistency = match mode {
            "strict" => Consistency::Strict,
            "relaxed" => Consistency::Relaxed,
            _ => return Err(bad()),
        };
        let ms: u64 = ms.parse().map_err(|_| bad())?;
        if ms == 0 || Duration::from_millis(ms) > MAX_LEASE {
            return Err(bad());
        }
        Ok(Caching { consistency, lease: Duration::from_millis(ms) })
    }
}

impl std::fmt::Display for Caching {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match self.consistency {
            Consistency::Strict => "strict",
            Consistency::Relaxed => "relaxed",
        };
        write!(f, "{mode}:{}", self.lease.as_millis())
    }
}

/// What a mutation must do before it returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recall<H> {
    /// Holders to tell (their copies of the object are invalid).
    pub holders: Vec<H>,
    /// Strict: the latest the mutation waits (the last lease's end, or
    /// the grace period's); none: nothing to wait for.
    pub wait_until: Option<Instant>,
    /// Strict, in the grace period after a restart: the mutation waits at
    /// least until then, acknowledged or not (holders from before the
    /// restart are unknown).
    pub not_before: Option<Instant>,
}

/// See the module comment.
#[derive(Debug)]
pub struct Tracker<H: Ord + Clone> {
    caching: Caching,
    holders: HashMap<String, HashMap<H, Instant>>,
    versions: HashMap<String, u64>,
    grace_until: Option<Instant>,
}

impl<H: Ord + Clone + std::hash::Hash> Tracker<H> {
    /// A fresh tracker; `restored`: the adapter came back from the store
    /// at `now` (grace period of one lease).
    pub fn new(caching: Caching, now: Instant, restored: bool) -> Tracker<H> {
        let grace_until = (restored && caching.consistency == Consistency::Strict).then(|| now + caching.lease);
        Tracker { caching, holders: HashMap::new(), versions: HashMap::new(), grace_until }
    }

    pub fn caching(&self) -> Caching {
        self.caching
    }

    /// The object's version now (what a read notes when it is submitted).
    pub fn version(&self, object: &str) -> u64 {
        self.versions.get(object).copied().unwrap_or(0)
    }

    /// A read of `object` submitted at `version` ended well: `holder` gets
    /// a lease (its length) unless a mutation ended meanwhile or the
    /// table is full.
    pub fn grant(&mut self, object: &str, holder: H, version: u64, now: Instant) -> Option<Duration> {
        if self.version(object) != version {
            return None;
        }
        if !self.holders.contains_key(object) && self.holders.len() >= MAX_TRACKED_OBJECTS {
            self.holders.retain(|_, hs| {
                hs.retain(|_, until| *until > now);
                !hs.is_empty()
            });
            if self.holders.len() >= MAX_TRACKED_OBJECTS {
                return None;
            }
        }
        let hs = self.holders.entry(object.to_owned()).or_default();
        if !hs.contains_key(&holder) && hs.len() >= MAX_HOLDERS {
            hs.retain(|_, until| *until > now);
            if hs.len() >= MAX_HOLDERS {
                return None;
            }
        }
        hs.insert(holder, now + self.caching.lease);
        Some(self.caching.lease)
    }

    /// A mutating call on `object` ended: its version goes up, its holders
    /// are forgotten and returned to be told; strict: how long to wait.
    pub fn mutate(&mut self, object: &str, now: Instant) -> Recall<H> {
        *self.versions.entry(object.to_owned()).or_insert(0) += 1;
        let live: Vec<(H, Instant)> =
            self.holders.remove(object).unwrap_or_default().into_iter().filter(|(_, until)| *until > now).collect();
        let mut holders: Vec<H> = live.iter().map(|(h, _)| h.clone()).collect();
        holders.sort();
        let (wait_until, not_before) = match self.caching.consistency {
            Consistency::Relaxed => (None, None),
            Consistency::Strict => {
                let lease_end = live.iter().map(|(_, u)| *u).max();
                let grace = self.grace_until.filter(|g| *g > now);
                (lease_end.into_iter().chain(grace).max(), grace)
            }
        };
        Recall { holders, wait_until, not_before }
    }

    /// Holders of `object` now (expired leases left out).
    pub fn holders_of(&self, object: &str, now: Instant) -> usize {
        self.holders.get(object).map_or(0, |hs| hs.values().filter(|u| **u > now).count())
    }
}

/// Strict mutations waiting for acknowledgements (see the module comment).
#[derive(Debug)]
pub struct Recalls<H: Ord> {
    next: u64,
    /// By number: holders not yet acknowledged, deadline, not before.
    waiting: HashMap<u64, Waiting<H>>,
}

#[derive(Debug)]
struct Waiting<H> {
    left: BTreeSet<H>,
    deadline: Instant,
    not_before: Option<Instant>,
}

impl<H: Ord> Default for Recalls<H> {
    fn default() -> Recalls<H> {
        Recalls { next: 0, waiting: HashMap::new() }
    }
}

impl<H: Ord + Clone> Recalls<H> {
    /// A mutation waits for the holders of `recall` until its deadline
    /// (and not before its `not_before`); its number, which the
    /// invalidations carry. None if it need not wait.
    pub fn start(&mut self, recall: &Recall<H>) -> Option<u64> {
        let deadline = recall.wait_until?;
        self.next += 1;
        let left = recall.holders.iter().cloned().collect();
        self.waiting.insert(self.next, Waiting { left, deadline, not_before: recall.not_before });
        Some(self.next)
    }

    /// `holder` acknowledged recall `seq` at `now`; true if the mutation
    /// may return now (it is forgotten): that was the last one, and the
    /// grace period is over.
    pub fn ack(&mut self, seq: u64, holder: &H, now: Instant) -> bool {
        let Some(w) = self.waiting.get_mut(&seq) else { return false };
        w.left.remove(holder);
        if w.left.is_empty() && w.not_before.is_none_or(|t| t <= now) {
            self.waiting.remove(&seq);
            return true;
        }
        false
    }

    /// Recalls that may return at `now` (deadline passed: the remaining
    /// holders' leases have run out); forgotten.
    pub fn expire(&mut self, now: Instant) -> Vec<u64> {
        let done: Vec<u64> = self.waiting.iter().filter(|(_, w)| w.deadline <= now).map(|(s, _)| *s).collect();
        for s in &done {
            self.waiting.remove(s);
        }
        done
    }

    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Duration = Duration::from_millis(500);

    fn strict() -> Caching {
        Caching { consistency: Consistency::Strict, lease: L }
    }

    #[test]
    fn policies_parse_and_print_back() {
        for text in ["strict:500", "relaxed:50"] {
            assert_eq!(Caching::parse(text).unwrap().to_string(), text);
        }
        for bad in ["strict", "strict:0", "loose:5", "relaxed:x", "strict:600001"] {
            assert!(Caching::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_mutation_recalls_every_live_copy_and_waits_for_the_last_lease() {
        let t0 = Instant::now();
        let mut t: Tracker<&str> = Tracker::new(strict(), t0, false);
        let v = t.version("x");
        assert_eq!(t.grant("x", "c1", v, t0), Some(L));
        assert_eq!(t.grant("x", "c2", v, t0 + Duration::from_millis(100)), Some(L));
        assert_eq!(t.grant("y", "c3", t.version("y"), t0), Some(L));
        assert_eq!(t.holders_of("x", t0), 2);
        let r = t.mutate("x", t0 + Duration::from_millis(200));
        assert_eq!(r.holders, ["c1", "c2"]);
        assert_eq!(r.wait_until, Some(t0 + Duration::from_millis(100) + L));
        assert_eq!(r.not_before, None);
        assert_eq!(t.holders_of("x", t0), 0, "holders forgotten");
        assert_eq!(t.holders_of("y", t0), 1, "other objects untouched");
        // Nobody holds a copy: nothing to wait for.
        assert_eq!(t.mutate("x", t0), Recall { holders: vec![], wait_until: None, not_before: None });
    }

    #[test]
    fn expired_leases_are_not_recalled() {
        let t0 = Instant::now();
        let mut t: Tracker<&str> = Tracker::new(strict(), t0, false);
        t.grant("x", "c1", 0, t0);
        let r = t.mutate("x", t0 + L);
        assert!(r.holders.is_empty() && r.wait_until.is_none());
    }

    #[test]
    fn a_read_racing_a_mutation_gets_no_lease() {
        let t0 = Instant::now();
        let mut t: Tracker<&str> = Tracker::new(strict(), t0, false);
        let read_at = t.version("x");
        t.mutate("x", t0);
        assert_eq!(t.grant("x", "c1", read_at, t0), None);
        assert_eq!(t.grant("x", "c1", t.version("x"), t0), Some(L));
    }

    #[test]
    fn relaxed_mutations_never_wait_and_restored_strict_ones_wait_out_the_grace() {
        let t0 = Instant::now();
        let relaxed = Caching { consistency: Consistency::Relaxed, lease: L };
        let mut r: Tracker<&str> = Tracker::new(relaxed, t0, true);
        r.grant("x", "c1", 0, t0);
        assert_eq!(r.mutate("x", t0), Recall { holders: vec!["c1"], wait_until: None, not_before: None });
        let mut s: Tracker<&str> = Tracker::new(strict(), t0, true);
        let v = s.version("x");
        s.grant("x", "c1", v, t0);
        let in_grace = s.mutate("x", t0 + Duration::from_millis(10));
        assert_eq!((in_grace.wait_until, in_grace.not_before), (Some(t0 + L), Some(t0 + L)));
        // Acknowledged by every known holder, it still waits out the grace.
        let mut rc: Recalls<&str> = Recalls::default();
        let seq = rc.start(&in_grace).unwrap();
        assert!(!rc.ack(seq, &"c1", t0 + Duration::from_millis(20)));
        assert_eq!(rc.expire(t0 + L), vec![seq]);
        assert_eq!(s.mutate("x", t0 + L).wait_until, None, "grace over");
    }

    #[test]
    fn recalls_end_on_the_last_ack_or_at_their_deadline() {
        let t0 = Instant::now();
        let mut rc: Recalls<&str> = Recalls::default();
        let recall =
            |holders: &[&'static str], d| Recall { holders: holders.to_vec(), wait_until: Some(d), not_before: None };
        let a = rc.start(&recall(&["c1", "c2"], t0 + L)).unwrap();
        let b = rc.start(&recall(&["c3"], t0 + L * 2)).unwrap();
        assert_eq!(rc.start(&Recall { holders: vec!["c4"], wait_until: None, not_before: None }), None);
        assert!(!rc.ack(a, &"c1", t0));
        assert!(!rc.ack(a, &"c9", t0), "a stranger's ack changes nothing");
        assert!(rc.ack(a, &"c2", t0));
        assert!(!rc.ack(a, &"c2", t0), "done once");
        assert!(rc.expire(t0 + L).is_empty());
        assert_eq!(rc.expire(t0 + L * 2), vec![b]);
        assert!(rc.is_empty());
    }

    #[test]
    fn the_table_is_bounded() {
        let t0 = Instant::now();
        let mut t: Tracker<u32> = Tracker::new(strict(), t0, false);
        for h in 0..MAX_HOLDERS as u32 {
            assert!(t.grant("x", h, 0, t0).is_some());
        }
        assert_eq!(t.grant("x", 99_999, 0, t0), None, "full");
        assert!(t.grant("x", 99_999, 0, t0 + L).is_some(), "room once leases ran out");
    }
}
