//! A client's copies of read-only calls' results, as pure state (time
//! passed in). The Rust client keeps one (`client.rs`), and so does a
//! node for its agents' `object call`.
//!
//! A copy is used only while its lease runs (counted from when the call
//! was sent, so never past the server's own lease) and only if it came
//! from the server's latest epoch this client knows: after the server
//! restarted (a reply with a new epoch), older copies must be revalidated
//! (fetched again) before use. An invalidation drops every copy of its
//! object at once.

use std::collections::HashMap;
use std::time::Instant;

/// Most copies one client keeps; the one nearest its end goes first.
pub const MAX_ENTRIES: usize = 10_000;

/// A call whose result may be copied: the object's reference, the method
/// and its arguments.
pub type Key = (String, String, Vec<String>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    value: String,
    /// The node that served it.
    server: String,
    epoch: u64,
    until: Instant,
}

/// What a look-up found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Hit(String),
    Miss,
    /// A copy from an older epoch of its server: call again.
    Revalidate,
}

/// Counters `itin cache` and `itin call --stats` show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub entries: u64,
    pub hits: u64,
    pub misses: u64,
    pub revalidations: u64,
    pub invalidations: u64,
    pub expired: u64,
}

impl CacheStats {
    /// Hits per look-up, 0 to 1.
    pub fn hit_rate(&self) -> f64 {
        let lookups = self.hits + self.misses + self.revalidations;
        if lookups == 0 {
            0.0
        } else {
            self.hits as f64 / lookups as f64
        }
    }
}

#[derive(Debug, Default)]
pub struct Cache {
    entries: HashMap<Key, Entry>,
    /// The latest epoch seen from each server.
    epochs: HashMap<String, u64>,
    stats: CacheStats,
}

impl Cache {
    pub fn get(&mut self, key: &Key, now: Instant) -> Lookup {
        let found = match self.entries.get(key) {
            None => Lookup::Miss,
            Some(e) if e.until <= now => {
                self.stats.expired += 1;
                self.entries.remove(key);
                Lookup::Miss
            }
            Some(e) if self.epochs.get(&e.server).is_some_and(|latest| *latest != e.epoch) => {
                self.entries.remove(key);
                Lookup::Revalidate
            }
            Some(e) => Lookup::Hit(e.value.clone()),
        };
        match found {
            Lookup::Hit(_) => self.stats.hits += 1,
            Lookup::Miss => self.stats.misses += 1,
            Lookup::Revalidate => self.stats.revalidations += 1,
        }
        found
    }

    /// Notes `server`'s epoch (from any of its leases); copies from other
    /// epochs will be revalidated.
    pub fn learn_epoch(&mut self, server: &str, epoch: u64) {
        self.epochs.insert(server.to_owned(), epoch);
    }

    /// Keeps a copy until `until` (the call's send time plus its lease).
    pub fn put(&mut self, key: Key, server: &str, value: String, epoch: u64, until: Instant, now: Instant) {
        self.learn_epoch(server, epoch);
        if until <= now {
            return;
        }
        if !self.entries.contains_key(&key) && self.entries.len() >= MAX_ENTRIES {
            self.entries.retain(|_, e| e.until > now);
            if self.entries.len() >= MAX_ENTRIES {
                if let Some(k) = self.entries.iter().min_by_key(|(_, e)| e.until).map(|(k, _)| k.clone()) {
                    self.entries.remove(&k);
                }
            }
        }
        self.entries.insert(key, Entry { value, server: server.to_owned(), epoch, until });
    }

    /// Drops every copy of `object` (its reference); how many.
    pub fn invalidate(&mut self, object: &str) -> usize {
        let before = self.entries.len();
        self.entries.retain(|(o, _, _), _| o != object);
        let n = before - self.entries.len();
        self.stats.invalidations += 1;
        n
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats { entries: self.entries.len() as u64, ..self.stats }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn key(o: &str, m: &str) -> Key {
        (o.into(), m.into(), vec![])
    }

    #[test]
    fn a_copy_is_used_until_its_lease_ends() {
        let t0 = Instant::now();
        let mut c = Cache::default();
        assert_eq!(c.get(&key("itin://a/b/x", "get"), t0), Lookup::Miss);
        c.put(key("itin://a/b/x", "get"), "a", "5".into(), 1, t0 + Duration::from_millis(100), t0);
        assert_eq!(c.get(&key("itin://a/b/x", "get"), t0), Lookup::Hit("5".into()));
        assert_eq!(c.get(&key("itin://a/b/x", "other"), t0), Lookup::Miss, "another method is another copy");
        assert_eq!(c.get(&key("itin://a/b/x", "get"), t0 + Duration::from_millis(100)), Lookup::Miss);
        let s = c.stats();
        assert_eq!((s.entries, s.hits, s.misses, s.expired), (0, 1, 3, 1));
        assert!((s.hit_rate() - 0.25).abs() < 1e-9);
    }

    #[test]
    fn an_invalidation_drops_every_copy_of_its_object() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(5);
        let mut c = Cache::default();
        c.put(key("itin://a/b/x", "get"), "a", "1".into(), 1, later, t0);
        c.put(("itin://a/b/x".into(), "item".into(), vec!["3".into()]), "a", "2".into(), 1, later, t0);
        c.put(key("itin://a/b/y", "get"), "a", "3".into(), 1, later, t0);
        assert_eq!(c.invalidate("itin://a/b/x"), 2);
        assert_eq!(c.get(&key("itin://a/b/x", "get"), t0), Lookup::Miss);
        assert_eq!(c.get(&key("itin://a/b/y", "get"), t0), Lookup::Hit("3".into()));
    }

    #[test]
    fn copies_from_an_older_epoch_are_revalidated() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(5);
        let mut c = Cache::default();
        c.put(key("itin://a/b/x", "get"), "a", "1".into(), 7, later, t0);
        c.put(key("itin://z/b/x", "get"), "z", "1".into(), 7, later, t0);
        // Server a restarted: its next lease says epoch 8.
        c.learn_epoch("a", 8);
        assert_eq!(c.get(&key("itin://a/b/x", "get"), t0), Lookup::Revalidate);
        assert_eq!(c.get(&key("itin://a/b/x", "get"), t0), Lookup::Miss, "dropped");
        assert_eq!(c.get(&key("itin://z/b/x", "get"), t0), Lookup::Hit("1".into()), "other servers untouched");
        assert_eq!(c.stats().revalidations, 1);
    }

    #[test]
    fn the_cache_is_bounded() {
        let t0 = Instant::now();
        let mut c = Cache::default();
        for i in 0..MAX_ENTRIES + 10 {
            c.put(
                key(&format!("itin://a/b/{i}"), "get"),
                "a",
                "v".into(),
                1,
                t0 + Duration::from_secs(1 + i as u64),
                t0,
            );
        }
        assert_eq!(c.stats().entries, MAX_ENTRIES as u64);
        // The ones nearest their end went first.
        assert_eq!(c.get(&key("itin://a/b/0", "get"), t0), Lookup::Miss);
        assert!(matches!(c.get(&key(&format!("itin://a/b/{}", MAX_ENTRIES + 9), "get"), t0), Lookup::Hit(_)));
    }
}
