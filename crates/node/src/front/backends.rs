//! The back ends of one fronted service as pure state: which are up,
//! their load, the health probes in flight, and the choice of a back end
//! for a call (`policy::choose` over the ones that are up). Time is
//! passed in; nothing here touches a socket or a clock.
//!
//! Health: a back end is taken out (down) when a call to it could not be
//! made (the front's call came back "unavailable") or when a probe was
//! not answered within the probe timeout; it is put back (up) when a
//! probe is answered. Probes go to every back end, up or down, once per
//! probe period.

use std::time::{Duration, Instant};

use super::policy::{choose, Candidate, Policy};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Up,
    Down,
}

/// One back end as the front sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    pub name: String,
    pub health: Health,
    /// Calls relayed there and not yet answered.
    pub outstanding: u64,
    /// Calls running or queued there, as its last probe answer said.
    pub reported_load: u64,
    /// Calls sent (relay) or clients handed (handoff) there.
    pub dispatched: u64,
    /// Times it was taken out.
    pub downs: u64,
    /// The probe in flight: its ticket and when it left.
    probe: Option<(u64, Instant)>,
    last_probe: Option<Instant>,
    /// Why it is down (the last failure).
    pub why: String,
}

/// A back end as `itin front` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendRow {
    pub name: String,
    pub up: bool,
    pub outstanding: u64,
    pub reported_load: u64,
    pub dispatched: u64,
    pub downs: u64,
    pub why: String,
}

/// The back ends of one service (see the module comment).
#[derive(Clone, Debug)]
pub struct Backends {
    list: Vec<Backend>,
    policy: Policy,
    turn: u64,
    probe_period: Duration,
    probe_timeout: Duration,
}

impl Backends {
    /// All up until told otherwise (the first probes will tell).
    pub fn new(names: &[String], policy: Policy, probe_period: Duration, probe_timeout: Duration) -> Backends {
        let list = names
            .iter()
            .map(|n| Backend {
                name: n.clone(),
                health: Health::Up,
                outstanding: 0,
                reported_load: 0,
                dispatched: 0,
                downs: 0,
                probe: None,
                last_probe: None,
                why: String::new(),
            })
            .collect();
        Backends { list, policy, turn: 0, probe_period, probe_timeout }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    fn get(&mut self, name: &str) -> Option<&mut Backend> {
        self.list.iter_mut().find(|b| b.name == name)
    }

    /// The back end for a call to `object` from `session`, among those
    /// that are up and not in `exclude` (back ends this call already
    /// failed on); none if none is left. With `relay`, the call counts as
    /// outstanding until `finished`.
    pub fn choose(&mut self, object: &str, session: &str, exclude: &[String], relay: bool) -> Option<String> {
        let up: Vec<usize> = (0..self.list.len())
            .filter(|&i| self.list[i].health == Health::Up && !exclude.contains(&self.list[i].name))
            .collect();
        let cands: Vec<Candidate> = up
            .iter()
            .map(|&i| Candidate {
                name: &self.list[i].name,
                load: self.list[i].outstanding + self.list[i].reported_load,
            })
            .collect();
        let pick = choose(self.policy, &cands, object, session, self.turn)?;
        self.turn = self.turn.wrapping_add(1);
        let b = &mut self.list[up[pick]];
        b.dispatched += 1;
        if relay {
            b.outstanding += 1;
        }
        Some(b.name.clone())
    }

    /// A relayed call to `name` ended; `unavailable`: it could not be made
    /// there (the back end is taken out until a probe answers).
    pub fn finished(&mut self, name: &str, unavailable: Option<&str>) {
        if let Some(b) = self.get(name) {
            b.outstanding = b.outstanding.saturating_sub(1);
            if let Some(why) = unavailable {
                take_out(b, why);
            }
        }
    }

    /// Takes `name` out at once (e.g. no address to hand clients to).
    pub fn take_out(&mut self, name: &str, why: &str) {
        if let Some(b) = self.get(name) {
            take_out(b, why);
        }
    }

    /// The probes to send now (back end, ticket): one per back end per
    /// period, none while one is in flight. `next_ticket` numbers them.
    pub fn probes_due(&mut self, now: Instant, next_ticket: &mut u64) -> Vec<(String, u64)> {
        let mut due = Vec::new();
        for b in &mut self.list {
            let waited = b.last_probe.is_none_or(|t| now.saturating_duration_since(t) >= self.probe_period);
            if b.probe.is_none() && waited {
                *next_ticket += 1;
                b.probe = Some((*next_ticket, now));
                b.last_probe = Some(now);
                due.push((b.name.clone(), *next_ticket));
            }
        }
        due
    }

    /// A probe answer: the back end's load; it is up again. Answers to
    /// other tickets (late ones) are ignored. True if it came back.
    pub fn probe_answered(&mut self, name: &str, ticket: u64, load: u64) -> bool {
        let Some(b) = self.get(name) else { return false };
        if b.probe.map(|(t, _)| t) != Some(ticket) {
            return false;
        }
        b.probe = None;
        b.reported_load = load;
        let back = b.health == Health::Down;
        b.health = Health::Up;
        back
    }

    /// Probes unanswered for longer than the timeout take their back ends
    /// out; the names of those that went down now.
    pub fn expire(&mut self, now: Instant) -> Vec<String> {
        let mut down = Vec::new();
        for b in &mut self.list {
            if let Some((_, sent)) = b.probe {
                if now.saturating_duration_since(sent) >= self.probe_timeout {
                    b.probe = None;
                    let was_up = b.health == Health::Up;
                    take_out(b, &format!("no probe answer within {:?}", self.probe_timeout));
                    if was_up {
                        down.push(b.name.clone());
                    }
                }
            }
        }
        down
    }

    pub fn rows(&self) -> Vec<BackendRow> {
        self.list
            .iter()
            .map(|b| BackendRow {
                name: b.name.clone(),
                up: b.health == Health::Up,
                outstanding: b.outstanding,
                reported_load: b.reported_load,
                dispatched: b.dispatched,
                downs: b.downs,
                why: b.why.clone(),
            })
            .collect()
    }
}

fn take_out(b: &mut Backend, why: &str) {
    if b.health == Health::Up {
        b.downs += 1;
    }
    b.health = Health::Down;
    b.why = why.to_owned();
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Duration = Duration::from_millis(100);
    const T: Duration = Duration::from_millis(300);

    fn three(policy: Policy) -> Backends {
        Backends::new(&["a".into(), "b".into(), "c".into()], policy, P, T)
    }

    #[test]
    fn relayed_calls_count_as_load_until_they_end() {
        let mut bs = three(Policy::LeastLoaded);
        let picks: Vec<String> = (0..6).map(|_| bs.choose("o", "s", &[], true).unwrap()).collect();
        // Least loaded with equal loads spreads evenly.
        for n in ["a", "b", "c"] {
            assert_eq!(picks.iter().filter(|p| *p == n).count(), 2);
        }
        bs.finished("a", None);
        bs.finished("a", None);
        assert_eq!(bs.choose("o", "s", &[], true).as_deref(), Some("a"));
        let rows = bs.rows();
        assert_eq!((rows[0].outstanding, rows[0].dispatched), (1, 3));
        // Handoff choices do not count as outstanding.
        let mut h = three(Policy::RoundRobin);
        h.choose("o", "s", &[], false);
        assert_eq!(h.rows()[0].outstanding, 0);
    }

    #[test]
    fn a_failed_call_takes_a_back_end_out_and_a_probe_answer_brings_it_back() {
        let mut bs = three(Policy::RoundRobin);
        let t0 = Instant::now();
        let b = bs.choose("o", "s", &[], true).unwrap();
        bs.finished(&b, Some("link down"));
        for _ in 0..10 {
            assert_ne!(bs.choose("o", "s", &[], true).unwrap(), b, "a down back end was chosen");
        }
        let mut ticket = 0;
        let due = bs.probes_due(t0, &mut ticket);
        assert_eq!(due.len(), 3, "down back ends are probed too");
        // Nothing more while probes are in flight.
        assert!(bs.probes_due(t0 + P * 2, &mut ticket).is_empty());
        let (name, t) = due.iter().find(|(n, _)| *n == b).unwrap().clone();
        assert!(!bs.probe_answered(&name, t + 100, 0), "a stale ticket is ignored");
        assert!(bs.probe_answered(&name, t, 4), "came back");
        let row = bs.rows().into_iter().find(|r| r.name == b).unwrap();
        assert!(row.up && row.reported_load == 4 && row.downs == 1);
        // Excluded back ends are skipped; none left gives none.
        let all: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(bs.choose("o", "s", &all, true), None);
    }

    #[test]
    fn an_unanswered_probe_takes_a_back_end_out_after_the_timeout() {
        let mut bs = three(Policy::RoundRobin);
        let t0 = Instant::now();
        let mut ticket = 0;
        let due = bs.probes_due(t0, &mut ticket);
        for (n, t) in &due {
            if n != "c" {
                bs.probe_answered(n, *t, 0);
            }
        }
        assert!(bs.expire(t0 + T - Duration::from_millis(1)).is_empty());
        assert_eq!(bs.expire(t0 + T), vec!["c".to_string()]);
        assert!(bs.expire(t0 + T * 2).is_empty(), "only once");
        let picks: Vec<String> = (0..4).map(|_| bs.choose("o", "s", &[], false).unwrap()).collect();
        assert!(!picks.contains(&"c".to_string()));
        // The next period probes again; an answer puts it back.
        let due = bs.probes_due(t0 + T + P, &mut ticket);
        let (_, t) = due.iter().find(|(n, _)| n == "c").unwrap();
        assert!(bs.probe_answered("c", *t, 0));
        let picks: Vec<String> = (0..3).map(|_| bs.choose("o", "s", &[], false).unwrap()).collect();
        assert!(picks.contains(&"c".to_string()));
    }

    #[test]
    fn session_affinity_holds_until_its_back_end_goes_down() {
        let mut bs = three(Policy::Session);
        let first = bs.choose("x", "alice", &[], true).unwrap();
        for obj in ["y", "z", "w"] {
            assert_eq!(bs.choose(obj, "alice", &[], true).unwrap(), first);
        }
        bs.finished(&first, Some("down"));
        let second = bs.choose("x", "alice", &[], true).unwrap();
        assert_ne!(second, first);
        assert_eq!(bs.choose("x", "alice", &[], true).unwrap(), second);
    }
}
