//! The exactly-once handoff of an agent between nodes, as plain state (no
//! sockets): what a destination decides about a transfer, and what it
//! remembers so that a repeated or late transfer gets the same answer.
//!
//! The rule (DESIGN.md, "Mobility"): ownership passes when the destination
//! durably records the agent at the transfer's epoch. The source keeps the
//! agent frozen until it hears the answer, and sends the same transfer
//! again until it does (after its own restart too: the frozen agent's
//! checkpoint holds the pending jump). The destination records its verdict
//! on (agent, epoch) — a fence — in the same durable write as the agent, so
//! every repeat of that transfer gets the first answer, and a transfer
//! older than the fence is refused.

use std::collections::HashMap;
use std::sync::Mutex;

/// A destination's verdict on the latest transfer it judged for one key
/// (the transferred agent's id): the id the agent got here, or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fence {
    pub epoch: u64,
    pub outcome: Result<String, String>,
}

/// What to do with an offered transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// New: decide, record the fence with the agent, then answer.
    Decide,
    /// Judged before (or older than what was judged): answer this, change
    /// nothing.
    Answer(Result<String, String>),
}

/// The destination's judgment of transfer `epoch` given the fence it holds.
pub fn judge(fence: Option<&Fence>, epoch: u64) -> Verdict {
    match fence {
        Some(f) if f.epoch == epoch => Verdict::Answer(f.outcome.clone()),
        Some(f) if f.epoch > epoch => {
            Verdict::Answer(Err(format!("stale transfer (epoch {epoch}, already at {})", f.epoch)))
        }
        _ => Verdict::Decide,
    }
}

/// Fences of a node without a store (memory only: an in-process node
/// forgets them when it stops, and its agents with them).
#[derive(Default)]
pub struct MemoryFences(Mutex<HashMap<String, Fence>>);

impl MemoryFences {
    pub fn get(&self, key: &str) -> Option<Fence> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    pub fn set(&self, key: &str, fence: Fence) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_owned(), fence);
    }
}

#[cfg(test)]
mod tests {
    //! A deterministic model of one jump between a source S and a
    //! destination D, crashed at every step. Durable state survives a
    //! crash, volatile state does not; after recovery the protocol runs to
    //! the end. The invariant: at the end exactly one node holds the agent
    //! (running), and at no step do both run it.
    use super::*;

    /// What each side keeps on disk.
    #[derive(Clone, Default, Debug)]
    struct Disk {
        /// The agent's record here, with whether it is frozen (in transit).
        agent: Option<(u64, bool)>,
        fence: Option<Fence>,
    }

    #[derive(Clone, Default, Debug)]
    struct World {
        s: Disk,
        d: Disk,
        /// Transfers and replies on the wire (may be lost on a crash).
        to_d: Vec<u64>,
        to_s: Vec<(u64, Result<String, String>)>,
        /// D refuses new transfers (e.g. draining).
        d_refuses: bool,
        /// The agent asked to jump (it asks once).
        asked: bool,
    }

    impl World {
        fn running(&self) -> usize {
            [&self.s, &self.d].iter().filter(|disk| matches!(disk.agent, Some((_, false)))).count()
        }
    }

    /// The protocol's steps; each returns false when it had nothing to do.
    fn step(w: &mut World, which: usize) -> bool {
        match which {
            // S: the agent asks to jump: freeze it at the next epoch (durably).
            0 => match w.s.agent {
                Some((e, false)) if !w.asked => {
                    w.asked = true;
                    w.s.agent = Some((e + 1, true));
                    true
                }
                _ => false,
            },
            // S: (re)send the transfer of a frozen agent.
            1 => match w.s.agent {
                Some((e, true)) if !w.to_d.contains(&e) => {
                    w.to_d.push(e);
                    true
                }
                _ => false,
            },
            // D: judge a transfer; record agent and fence in one write; reply.
            2 => {
                let Some(e) = w.to_d.pop() else { return false };
                let answer = match judge(w.d.fence.as_ref(), e) {
                    Verdict::Answer(a) => a,
                    Verdict::Decide => {
                        let outcome = if w.d_refuses { Err("refused".to_string()) } else { Ok("x".to_string()) };
                        if outcome.is_ok() {
                            w.d.agent = Some((e, false));
                        }
                        w.d.fence = Some(Fence { epoch: e, outcome: outcome.clone() });
                        outcome
                    }
                };
                w.to_s.push((e, answer));
                true
            }
            // S: the answer for its frozen epoch settles it.
            3 => {
                let Some((e, answer)) = w.to_s.pop() else { return false };
                if let Some((mine, true)) = w.s.agent {
                    if mine == e {
                        w.s.agent = if answer.is_ok() { None } else { Some((e, false)) };
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// Runs steps in order until nothing moves; checks the invariant after
    /// every step; crashes at step `crash_at` (losing messages in flight).
    fn run(mut w: World, crash_at: Option<usize>) -> World {
        let mut n = 0;
        loop {
            let mut moved = false;
            for which in 0..4 {
                if step(&mut w, which) {
                    moved = true;
                    n += 1;
                    assert!(w.running() <= 1, "two copies running: {w:?}");
                    if crash_at == Some(n) {
                        // A crash loses what was in flight; disks stay.
                        w.to_d.clear();
                        w.to_s.clear();
                    }
                }
            }
            if !moved {
                return w;
            }
            assert!(n < 100, "no progress: {w:?}");
        }
    }

    #[test]
    fn every_crash_point_settles_the_agent_on_exactly_one_node() {
        for refuses in [false, true] {
            for crash_at in (0..12).map(Some).chain([None]) {
                let start =
                    World { s: Disk { agent: Some((0, false)), fence: None }, d_refuses: refuses, ..World::default() };
                let end = run(start, crash_at);
                assert_eq!(end.running(), 1, "crash at {crash_at:?}, refuses {refuses}: {end:?}");
                let frozen = [&end.s, &end.d].iter().filter(|d| matches!(d.agent, Some((_, true)))).count();
                assert_eq!(frozen, 0, "{end:?}");
                if refuses {
                    assert!(end.s.agent.is_some() && end.d.agent.is_none(), "{end:?}");
                } else {
                    assert!(end.d.agent.is_some() && end.s.agent.is_none(), "{end:?}");
                }
            }
        }
    }

    #[test]
    fn repeats_get_the_first_answer_and_late_transfers_are_refused() {
        let fence = Fence { epoch: 4, outcome: Ok("7@beta".into()) };
        assert_eq!(judge(None, 1), Verdict::Decide);
        assert_eq!(judge(Some(&fence), 5), Verdict::Decide);
        assert_eq!(judge(Some(&fence), 4), Verdict::Answer(Ok("7@beta".into())));
        assert!(matches!(judge(Some(&fence), 3), Verdict::Answer(Err(e)) if e.contains("stale")));
    }
}
