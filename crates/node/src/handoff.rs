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

/// The destination's judgment of transfer `epoch` given the fence it
/// holds; `jump`: the transfer is a jump of the agent with this id.
///
/// A transfer older than the fence was judged here before. A jump's source
/// that still waits for that answer holds the agent frozen, so the agent
/// can only have gone on (to the fence's epoch) because that jump was
/// accepted here: it is answered as accepted. (A source that already had
/// its answer ignores a second one.) An older fork or submit is refused as
/// stale: its parent waits for the answer, so it cannot have gone on.
pub fn judge(fence: Option<&Fence>, epoch: u64, jump: Option<&str>) -> Verdict {
    match fence {
        Some(f) if f.epoch == epoch => Verdict::Answer(f.outcome.clone()),
        Some(f) if f.epoch > epoch => match jump {
            Some(id) => Verdict::Answer(Ok(id.to_owned())),
            None => Verdict::Answer(Err(format!("stale transfer (epoch {epoch}, already at {})", f.epoch))),
        },
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
                let answer = match judge(w.d.fence.as_ref(), e, Some("x")) {
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
        assert_eq!(judge(None, 1, None), Verdict::Decide);
        assert_eq!(judge(Some(&fence), 5, None), Verdict::Decide);
        assert_eq!(judge(Some(&fence), 4, None), Verdict::Answer(Ok("7@beta".into())));
        assert!(matches!(judge(Some(&fence), 3, None), Verdict::Answer(Err(e)) if e.contains("stale")));
        // An older jump than the fence was accepted here (see `judge`).
        assert_eq!(judge(Some(&fence), 3, Some("2@alpha")), Verdict::Answer(Ok("2@alpha".into())));
    }

    /// A second model: one agent touring three nodes (0 -> 1 -> 2 -> 1 ->
    /// 0 -> 2), while a seeded scheduler delivers, loses and reorders
    /// messages and crashes nodes (a crashed node loses what was in flight
    /// to and from it and stays down for a while). It found two bugs the
    /// one-jump model cannot: a jump repeated after the agent had gone on
    /// and come back to its destination was refused as stale (the source
    /// then ran its frozen copy: a duplicate), and an agent arriving where
    /// a frozen copy of an older jump still waited for its answer. The
    /// invariant: never two running copies; at the end exactly one, done.
    mod tour {
        use super::super::*;

        const ROUTE: [usize; 5] = [1, 2, 1, 0, 2];

        /// The agent's record on one node: epoch, hops done, and the
        /// destination of the jump it is frozen in.
        #[derive(Clone, Copy, Debug, PartialEq)]
        struct Copy {
            epoch: u64,
            hops: usize,
            frozen: Option<usize>,
        }

        #[derive(Default, Debug)]
        struct Node {
            agent: Option<Copy>,
            fence: Option<Fence>,
            down: u32,
        }

        #[derive(Debug)]
        enum Msg {
            Transfer { to: usize, from: usize, copy: Copy },
            Reply { to: usize, epoch: u64, answer: Result<String, String> },
        }

        struct Rng(u64);

        impl Rng {
            fn below(&mut self, n: usize) -> usize {
                self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = self.0;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                ((z ^ (z >> 31)) % n as u64) as usize
            }
        }

        fn running(nodes: &[Node]) -> usize {
            nodes.iter().filter(|n| n.agent.is_some_and(|c| c.frozen.is_none())).count()
        }

        /// A destination takes a transfer (`handoff::judge`, then the
        /// node's arrival rule: an older frozen copy here is settled).
        fn arrive(node: &mut Node, copy: Copy) -> Result<String, String> {
            match judge(node.fence.as_ref(), copy.epoch, Some("a")) {
                Verdict::Answer(a) => a,
                Verdict::Decide => {
                    if let Some(old) = node.agent {
                        assert!(old.frozen.is_some() && old.epoch < copy.epoch, "arrival beside a live copy");
                    }
                    node.agent = Some(Copy { epoch: copy.epoch, hops: copy.hops + 1, frozen: None });
                    node.fence = Some(Fence { epoch: copy.epoch, outcome: Ok("a".into()) });
                    Ok("a".into())
                }
            }
        }

        /// One schedule; `chaos` false: no more crashes or losses (the end).
        fn step(nodes: &mut [Node], wire: &mut Vec<Msg>, rng: &mut Rng, chaos: bool) -> bool {
            let mut moved = false;
            for (n, node) in nodes.iter_mut().enumerate() {
                if node.down > 0 {
                    node.down -= 1;
                    continue;
                }
                if chaos && rng.below(12) == 0 {
                    // Crash: what was in flight to or from it is lost.
                    wire.retain(|m| !matches!(m, Msg::Transfer { to, from, .. } if *to == n || *from == n));
                    wire.retain(|m| !matches!(m, Msg::Reply { to, .. } if *to == n));
                    node.down = rng.below(6) as u32;
                    continue;
                }
                match node.agent {
                    // The agent runs and asks for its next hop.
                    Some(c) if c.frozen.is_none() && c.hops < ROUTE.len() && rng.below(2) == 0 => {
                        let dest = ROUTE[c.hops];
                        node.agent = Some(Copy { epoch: c.epoch + 1, frozen: Some(dest), ..c });
                        moved = true;
                    }
                    // A frozen copy sends its transfer (again).
                    Some(c) if c.frozen.is_some() && rng.below(3) == 0 => {
                        wire.push(Msg::Transfer { to: c.frozen.unwrap_or(0), from: n, copy: c });
                        moved = true;
                    }
                    _ => {}
                }
            }
            if !wire.is_empty() {
                let m = wire.remove(rng.below(wire.len()));
                moved = true;
                match m {
                    Msg::Transfer { to, .. } | Msg::Reply { to, .. } if nodes[to].down > 0 => {}
                    _ if chaos && rng.below(10) == 0 => {} // lost
                    Msg::Transfer { to, from, copy } => {
                        let answer = arrive(&mut nodes[to], copy);
                        wire.push(Msg::Reply { to: from, epoch: copy.epoch, answer });
                    }
                    Msg::Reply { to, epoch, answer } => {
                        if let Some(c) = nodes[to].agent.filter(|c| c.frozen.is_some() && c.epoch == epoch) {
                            nodes[to].agent = if answer.is_ok() { None } else { Some(Copy { frozen: None, ..c }) };
                        }
                    }
                }
            }
            assert!(running(nodes) <= 1, "two running copies: {nodes:?}");
            moved
        }

        #[test]
        fn a_touring_agent_survives_random_crashes_and_losses_exactly_once() {
            for seed in 0..3000u64 {
                let mut rng = Rng(seed);
                let mut nodes: Vec<Node> = (0..3).map(|_| Node::default()).collect();
                nodes[0].agent = Some(Copy { epoch: 0, hops: 0, frozen: None });
                let mut wire = Vec::new();
                for _ in 0..200 {
                    step(&mut nodes, &mut wire, &mut rng, true);
                }
                let mut quiet = 0;
                for _ in 0..10_000 {
                    let moved = step(&mut nodes, &mut wire, &mut rng, false);
                    quiet = if moved { 0 } else { quiet + 1 };
                    if quiet > 20 {
                        break;
                    }
                }
                let copies: Vec<Copy> = nodes.iter().filter_map(|n| n.agent).collect();
                assert_eq!(copies.len(), 1, "seed {seed}: {nodes:?}");
                assert_eq!((copies[0].hops, copies[0].frozen), (ROUTE.len(), None), "seed {seed}: {nodes:?}");
            }
        }
    }
}
