//! Which back end serves a call: the front's dispatch policies as pure
//! functions of the candidates (the back ends that are up, with their
//! load), the call's object and session, and a turn counter.
//!
//! Affinity (`object`, `session`) uses rendezvous hashing: each candidate
//! scores `hash(candidate, key)` and the highest wins. The same key keeps
//! its back end while that back end is up, and when one goes down only
//! the keys it held move (to their second choice); nothing else moves.

use serde::Deserialize;

/// A dispatch policy (`policy = "..."` in the front file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Each back end in turn.
    RoundRobin,
    /// The back end with the fewest calls outstanding plus its last
    /// reported load; ties in turn.
    LeastLoaded,
    /// Affinity by object id: one object's calls go to one back end.
    Object,
    /// Affinity by the client's session.
    Session,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::RoundRobin => "round-robin",
            Policy::LeastLoaded => "least-loaded",
            Policy::Object => "object",
            Policy::Session => "session",
        }
    }
}

/// A back end that may be chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub name: &'a str,
    /// Calls the front has outstanding there plus its reported load.
    pub load: u64,
}

/// FNV-1a: stable across processes and runs (affinity must not depend on
/// a random hasher seed).
fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The index in `candidates` of the back end for a call to `object` from
/// `session`, at turn `turn` (round robin and ties); none if there is no
/// candidate.
pub fn choose(policy: Policy, candidates: &[Candidate], object: &str, session: &str, turn: u64) -> Option<usize> {
    if candidates.is_empty() {
        return None;
    }
    let n = candidates.len();
    let rendezvous = |key: &str| (0..n).max_by_key(|&i| (fnv(&[candidates[i].name, key]), candidates[i].name));
    match policy {
        Policy::RoundRobin => Some((turn % n as u64) as usize),
        Policy::LeastLoaded => {
            let least = candidates.iter().map(|c| c.load).min()?;
            let tied: Vec<usize> = (0..n).filter(|&i| candidates[i].load == least).collect();
            Some(tied[(turn % tied.len() as u64) as usize])
        }
        Policy::Object => rendezvous(object),
        Policy::Session => rendezvous(session),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cands<'a>(names: &[&'a str]) -> Vec<Candidate<'a>> {
        names.iter().map(|n| Candidate { name: n, load: 0 }).collect()
    }

    #[test]
    fn round_robin_takes_each_in_turn() {
        let c = cands(&["a", "b", "c"]);
        let picks: Vec<usize> = (0..6).map(|t| choose(Policy::RoundRobin, &c, "o", "s", t).unwrap()).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
        assert_eq!(choose(Policy::RoundRobin, &[], "o", "s", 3), None);
    }

    #[test]
    fn least_loaded_takes_the_lightest_and_shares_ties() {
        let mut c = cands(&["a", "b", "c"]);
        c[0].load = 5;
        c[1].load = 1;
        c[2].load = 3;
        assert_eq!(choose(Policy::LeastLoaded, &c, "o", "s", 0), Some(1));
        c[2].load = 1;
        let picks: Vec<usize> = (0..4).map(|t| choose(Policy::LeastLoaded, &c, "o", "s", t).unwrap()).collect();
        assert_eq!(picks, [1, 2, 1, 2]);
    }

    #[test]
    fn affinity_is_stable_and_moves_only_the_keys_of_a_lost_back_end() {
        let all = cands(&["a", "b", "c"]);
        let keys: Vec<String> = (0..300).map(|i| format!("k{i}")).collect();
        let place = |c: &[Candidate], k: &str| c[choose(Policy::Session, c, "", k, 7).unwrap()].name.to_string();
        let before: Vec<String> = keys.iter().map(|k| place(&all, k)).collect();
        // The turn does not matter; the same key always lands on the same one.
        for (k, b) in keys.iter().zip(&before) {
            assert_eq!(&all[choose(Policy::Session, &all, "", k, 99).unwrap()].name.to_string(), b);
        }
        // Spread: each back end gets a fair share of 300 keys.
        for name in ["a", "b", "c"] {
            let n = before.iter().filter(|p| *p == name).count();
            assert!((60..=140).contains(&n), "{name} got {n} of 300");
        }
        // Without "b": b's keys move, the others stay.
        let without_b = cands(&["a", "c"]);
        for (k, b) in keys.iter().zip(&before) {
            let now = place(&without_b, k);
            if b != "b" {
                assert_eq!(&now, b, "key {k} moved although its back end is up");
            }
        }
        // By object: the object id is the key, the session is ignored.
        let o1 = choose(Policy::Object, &all, "acct-1", "s1", 0);
        assert_eq!(choose(Policy::Object, &all, "acct-1", "s2", 5), o1);
    }
}
