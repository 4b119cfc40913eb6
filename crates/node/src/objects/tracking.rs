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
        let wait_until = match self.caching.consistency {
            Consistency::Relaxed => None,
            Consistency::Strict => {
                let lease_end = live.iter().map(|(_, u)| *u).max();
                let grace = self.grace_until.filter(|g| *g > now);
                lease_end.into_iter().chain(grace).max()
            }
        };
        Recall { holders, wait_until }
    }

    /// Holders of `object` now (expired leases left out).
    pub fn holders_of(&self, object: &str, now: Instant) -> usize {
        self.holders.get(object).map_or(0, |hs| hs.values().filter(|u| **u > now).count())
    }
}

/// Strict mutations waiting for acknowledgements (see the module comment).
#[derive(Debug, Default)]
pub struct Recalls<H: Ord> {
    next: u64,
    waiting: HashMap<u64, (BTreeSet<H>, Instant)>,
}

impl<H: Ord + Clone> Recalls<H> {
    /// A mutation waits for `holders` until `deadline`; its number, which
    /// the invalidations carry.
    pub fn start(&mut self, holders: &[H], deadline: Instant) -> u64 {
        self.next += 1;
        self.waiting.insert(self.next, (holders.iter().cloned().collect(), deadline));
        self.next
    }

    /// `holder` acknowledged recall `seq`; true if that was the last one
    /// (the mutation may return; it is forgotten).
    pub fn ack(&mut self, seq: u64, holder: &H) -> bool {
        let Some((left, _)) = self.waiting.get_mut(&seq) else { return false };
        left.remove(holder);
        if left.is_empty() {
            self.waiting.remove(&seq);
            return true;
        }
        false
    }

    /// Recalls whose deadline passed (their remaining holders' leases have
    /// run out): they may return; forgotten.
    pub fn expire(&mut self, now: Instant) -> Vec<u64> {
        let done: Vec<u64> = self.waiting.iter().filter(|(_, (_, d))| *d <= now).map(|(s, _)| *s).collect();
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
        assert_eq!(t.holders_of("x", t0), 0, "holders forgotten");
        assert_eq!(t.holders_of("y", t0), 1, "other objects untouched");
        // Nobody holds a copy: nothing to wait for.
        assert_eq!(t.mutate("x", t0), Recall { holders: vec![], wait_until: None });
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
        assert_eq!(r.mutate("x", t0), Recall { holders: vec!["c1"], wait_until: None });
        let mut s: Tracker<&str> = Tracker::new(strict(), t0, true);
        assert_eq!(s.mutate("x", t0 + Duration::from_millis(10)).wait_until, Some(t0 + L));
        assert_eq!(s.mutate("x", t0 + L).wait_until, None, "grace over");
    }

    #[test]
    fn recalls_end_on_the_last_ack_or_at_their_deadline() {
        let t0 = Instant::now();
        let mut rc: Recalls<&str> = Recalls::default();
        let a = rc.start(&["c1", "c2"], t0 + L);
        let b = rc.start(&["c3"], t0 + L * 2);
        assert!(!rc.ack(a, &"c1"));
        assert!(!rc.ack(a, &"c9"), "a stranger's ack changes nothing");
        assert!(rc.ack(a, &"c2"));
        assert!(!rc.ack(a, &"c2"), "done once");
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
