//! Where the platform moves agents: draining a node and balancing load.
//!
//! Nodes tell every peer their load (`Wire::Load`) every [`LOAD_PERIOD`];
//! [`PeerLoads`] keeps the latest report of each peer, and only a fresh
//! one (younger than [`LOAD_STALE`]) makes a peer a destination. The
//! decisions are pure functions tested on their own: [`plan_drain`] spreads
//! the agents of a draining node over its peers, least loaded first;
//! [`plan_balance`] moves a few runnable agents from this node when it has
//! clearly more of them than its least loaded peer. The node's placement
//! task (`node.rs`) feeds them and starts the moves (`Runtime::migrate`).
//!
//! Guarantees: balancing moves at most `max_per_round` agents per round,
//! starts only at a gap of `start_gap` runnable agents and stops at
//! `settled_gap` (hysteresis), and never moves an agent that arrived less
//! than `cooldown` ago, so agents do not ping-pong. Not guaranteed: an even
//! spread when peers' reports are stale (several nodes may pick the same
//! least loaded peer in one round; the next rounds correct it).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use itinerant_core::{AgentId, Load, Movable, MoveStatus, Runtime};

/// How often a node tells its peers its load.
pub const LOAD_PERIOD: Duration = Duration::from_millis(500);
/// A peer whose last report is older than this is not a destination.
pub const LOAD_STALE: Duration = Duration::from_secs(3);
/// How often the balancer looks at the loads.
pub const BALANCE_PERIOD: Duration = Duration::from_secs(1);
/// Moves a drain tries per agent before it reports it as failed.
pub const DRAIN_ATTEMPTS: u32 = 3;

/// A peer's load as last reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerLoad {
    pub node: String,
    pub load: Load,
    /// It refuses new agents (never a destination).
    pub draining: bool,
}

/// The balancing policy's knobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalancePolicy {
    /// Start moving when this node has at least this many more runnable
    /// agents than its least loaded peer.
    pub start_gap: usize,
    /// Stop once the gap is this or less.
    pub settled_gap: usize,
    /// Most agents moved per round.
    pub max_per_round: usize,
    /// An agent that arrived less than this ago stays.
    pub cooldown: Duration,
}

impl Default for BalancePolicy {
    fn default() -> BalancePolicy {
        BalancePolicy { start_gap: 3, settled_gap: 1, max_per_round: 4, cooldown: Duration::from_secs(10) }
    }
}

/// The peer with the least count, ties by name (deterministic).
fn least(peers: &mut [(String, usize)]) -> Option<&mut (String, usize)> {
    peers.iter_mut().min_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
}

/// Destinations for every agent of a draining node: each to the peer with
/// the fewest agents, counting those already given to it, so they spread.
/// No peer that accepts agents: no plan.
pub fn plan_drain(agents: &[AgentId], peers: &[PeerLoad]) -> Vec<(AgentId, String)> {
    let mut open: Vec<(String, usize)> =
        peers.iter().filter(|p| !p.draining).map(|p| (p.node.clone(), p.load.agents)).collect();
    let mut plan = Vec::with_capacity(agents.len());
    for id in agents {
        let Some(dest) = least(&mut open) else { break };
        dest.1 += 1;
        plan.push((id.clone(), dest.0.clone()));
    }
    plan
}

/// The moves of one balancing round: runnable agents of this node (not
/// moved recently, in the order given) to the least loaded peers, while
/// this node has clearly more runnable agents than the least loaded one.
pub fn plan_balance(
    policy: &BalancePolicy,
    me: Load,
    peers: &[PeerLoad],
    agents: &[Movable],
) -> Vec<(AgentId, String)> {
    let mut open: Vec<(String, usize)> =
        peers.iter().filter(|p| !p.draining).map(|p| (p.node.clone(), p.load.runnable)).collect();
    let mut mine = me.runnable;
    match least(&mut open) {
        Some(l) if mine >= l.1 + policy.start_gap => {}
        _ => return Vec::new(),
    }
    let mut candidates = agents.iter().filter(|a| a.runnable && a.since_arrival.is_none_or(|t| t >= policy.cooldown));
    let mut plan = Vec::new();
    while plan.len() < policy.max_per_round {
        let Some(dest) = least(&mut open) else { break };
        if mine <= dest.1 + policy.settled_gap {
            break;
        }
        let Some(agent) = candidates.next() else { break };
        dest.1 += 1;
        mine -= 1;
        plan.push((agent.id.clone(), dest.0.clone()));
    }
    plan
}

/// The latest load report of each peer.
#[derive(Default)]
pub struct PeerLoads {
    loads: Mutex<BTreeMap<String, (PeerLoad, Instant)>>,
}

impl PeerLoads {
    pub fn record(&self, node: &str, load: Load, draining: bool) {
        let report = PeerLoad { node: node.to_owned(), load, draining };
        self.loads.lock().unwrap_or_else(|e| e.into_inner()).insert(node.to_owned(), (report, Instant::now()));
    }

    /// Counts agents this node just sent to `node` until its next report
    /// (so one round's moves are seen by the next round).
    pub fn note_sent(&self, node: &str, runnable: bool) {
        if let Some((p, _)) = self.loads.lock().unwrap_or_else(|e| e.into_inner()).get_mut(node) {
            p.load.agents += 1;
            p.load.runnable += usize::from(runnable);
        }
    }

    /// The reports younger than `LOAD_STALE`.
    pub fn fresh(&self) -> Vec<PeerLoad> {
        let loads = self.loads.lock().unwrap_or_else(|e| e.into_inner());
        loads.values().filter(|(_, at)| at.elapsed() < LOAD_STALE).map(|(p, _)| p.clone()).collect()
    }

    /// A peer's latest report, if fresh.
    pub fn get(&self, node: &str) -> Option<PeerLoad> {
        let loads = self.loads.lock().unwrap_or_else(|e| e.into_inner());
        loads.get(node).filter(|(_, at)| at.elapsed() < LOAD_STALE).map(|(p, _)| p.clone())
    }
}

/// One agent of a drain.
#[derive(Clone, Debug, PartialEq, Eq)]
enum DrainState {
    /// A move is under way.
    Moving,
    /// The last move was refused; tried again next round.
    Retry(String),
    Moved(String),
    /// It ended here (or is gone) before it moved.
    Ended,
    /// Given up after `DRAIN_ATTEMPTS` moves.
    Failed(String),
}

#[derive(Clone, Debug)]
struct DrainEntry {
    attempts: u32,
    state: DrainState,
}

/// How a drain stands, as the CLI shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// Agents the drain has tried to move.
    pub total: u64,
    pub moved: u64,
    /// Ended here before they could move.
    pub ended: u64,
    /// Agents still living on the node.
    pub remaining: u64,
    /// Agents given up on, with the last reason.
    pub failed: Vec<(String, String)>,
    /// Why nothing moves now (no peer to move to), if so.
    pub stalled: Option<String>,
    /// Nothing is left to move (every agent moved, ended or failed).
    pub done: bool,
}

/// A node's drain and balancing: what the placement task works from.
pub struct Placement {
    /// Balancing is on (`itin node start --balance`).
    pub balance: bool,
    pub policy: BalancePolicy,
    pub loads: PeerLoads,
    drain: Mutex<Drain>,
}

#[derive(Default)]
struct Drain {
    entries: BTreeMap<AgentId, DrainEntry>,
    stalled: Option<String>,
}

impl Drain {
    /// Records how the moves under way ended, if they have.
    fn settle_moves(&mut self, rt: &Runtime) {
        for (id, entry) in self.entries.iter_mut().filter(|(_, e)| e.state == DrainState::Moving) {
            entry.state = match rt.move_status(id) {
                MoveStatus::Pending => continue,
                MoveStatus::Moved(node) => DrainState::Moved(node),
                MoveStatus::Ended | MoveStatus::Unknown => DrainState::Ended,
                MoveStatus::Refused(why) if entry.attempts >= DRAIN_ATTEMPTS => DrainState::Failed(why),
                MoveStatus::Refused(why) => DrainState::Retry(why),
            };
        }
    }
}

impl Placement {
    pub fn new(balance: bool) -> Placement {
        Placement { balance, policy: BalancePolicy::default(), loads: PeerLoads::default(), drain: Mutex::default() }
    }

    fn drain(&self) -> std::sync::MutexGuard<'_, Drain> {
        self.drain.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts draining (again): the node refuses new agents from now on and
    /// the placement task moves its agents away.
    pub fn start_drain(&self, rt: &Runtime) {
        rt.set_draining(true);
        *self.drain() = Drain::default();
        self.drain_round(rt);
    }

    /// Stops draining: the node takes new agents again; agents not yet
    /// frozen for a move stay.
    pub fn stop_drain(&self, rt: &Runtime) {
        rt.set_draining(false);
        *self.drain() = Drain::default();
    }

    /// One round of a drain: settles the moves that ended, then moves every
    /// agent that may move now.
    pub fn drain_round(&self, rt: &Runtime) {
        let mut drain = self.drain();
        drain.settle_moves(rt);
        let waiting: Vec<AgentId> = rt
            .movable()
            .into_iter()
            .map(|m| m.id)
            .filter(|id| drain.entries.get(id).is_none_or(|e| !matches!(e.state, DrainState::Failed(_))))
            .collect();
        let plan = plan_drain(&waiting, &self.loads.fresh());
        drain.stalled = (plan.is_empty() && !waiting.is_empty()).then(|| "no peer takes agents".to_owned());
        for (id, dest) in plan {
            let entry =
                drain.entries.entry(id.clone()).or_insert(DrainEntry { attempts: 0, state: DrainState::Moving });
            entry.attempts += 1;
            entry.state = match rt.migrate(&id, &dest) {
                Ok(()) => {
                    self.loads.note_sent(&dest, false);
                    DrainState::Moving
                }
                Err(why) if entry.attempts >= DRAIN_ATTEMPTS => DrainState::Failed(why),
                Err(why) => DrainState::Retry(why),
            };
        }
    }

    pub fn drain_report(&self, rt: &Runtime) -> DrainReport {
        let mut drain = self.drain();
        // Settled here too, not only in the next round: a report that sees
        // the node empty must also count the move that emptied it.
        drain.settle_moves(rt);
        let mut report = DrainReport {
            total: drain.entries.len() as u64,
            remaining: rt.load().agents as u64,
            stalled: drain.stalled.clone(),
            ..DrainReport::default()
        };
        for (id, entry) in &drain.entries {
            match &entry.state {
                DrainState::Moved(_) => report.moved += 1,
                DrainState::Ended => report.ended += 1,
                DrainState::Failed(why) => report.failed.push((id.to_string(), why.clone())),
                DrainState::Moving | DrainState::Retry(_) => {}
            }
        }
        let moving = drain.entries.values().any(|e| e.state == DrainState::Moving);
        report.done = rt.is_draining() && !moving && report.remaining <= report.failed.len() as u64;
        report
    }

    /// One balancing round (when balancing is on and the node is not
    /// draining): the moves `plan_balance` chooses.
    pub fn balance_round(&self, rt: &Runtime) {
        if !self.balance || rt.is_draining() {
            return;
        }
        let plan = plan_balance(&self.policy, rt.load(), &self.loads.fresh(), &rt.movable());
        for (id, dest) in plan {
            if rt.migrate(&id, &dest).is_ok() {
                self.loads.note_sent(&dest, true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> AgentId {
        AgentId::parse(&format!("{n}@a")).unwrap()
    }

    fn peer(node: &str, runnable: usize, agents: usize) -> PeerLoad {
        PeerLoad { node: node.into(), load: Load { runnable, agents }, draining: false }
    }

    fn busy(n: u64) -> Vec<Movable> {
        (1..=n).map(|i| Movable { id: id(i), runnable: true, since_arrival: None }).collect()
    }

    fn dests(plan: &[(AgentId, String)]) -> Vec<&str> {
        plan.iter().map(|(_, d)| d.as_str()).collect()
    }

    #[test]
    fn a_drain_spreads_least_loaded_first_and_skips_draining_peers() {
        let agents: Vec<AgentId> = (1..=5).map(id).collect();
        let mut gone = peer("c", 0, 0);
        gone.draining = true;
        let plan = plan_drain(&agents, &[peer("a", 0, 3), peer("b", 0, 1), gone]);
        assert_eq!(dests(&plan), ["b", "b", "a", "b", "a"]);
        assert_eq!(plan[0].0, id(1));
        assert!(plan_drain(&agents, &[]).is_empty());
    }

    #[test]
    fn balance_starts_at_the_gap_and_stops_when_settled() {
        let p = BalancePolicy::default();
        // Gap 2 < 3: nothing.
        assert!(plan_balance(&p, Load { runnable: 3, agents: 3 }, &[peer("b", 1, 1)], &busy(3)).is_empty());
        // Gap 3: moves until the gap is 1.
        let plan = plan_balance(&p, Load { runnable: 4, agents: 4 }, &[peer("b", 1, 1)], &busy(4));
        assert_eq!(dests(&plan), ["b"]);
        // Ten on me, two idle peers: four per round, alternating.
        let peers = [peer("b", 0, 0), peer("c", 0, 0)];
        let plan = plan_balance(&p, Load { runnable: 10, agents: 10 }, &peers, &busy(10));
        assert_eq!(dests(&plan), ["b", "c", "b", "c"]);
        // Next round (6 / 2 / 2): two more, then settled at 4 / 3 / 3.
        let peers = [peer("b", 2, 2), peer("c", 2, 2)];
        let plan = plan_balance(&p, Load { runnable: 6, agents: 6 }, &peers, &busy(6));
        assert_eq!(dests(&plan), ["b", "c"]);
        let peers = [peer("b", 3, 3), peer("c", 3, 3)];
        assert!(plan_balance(&p, Load { runnable: 4, agents: 4 }, &peers, &busy(4)).is_empty());
    }

    #[test]
    fn balance_leaves_recent_arrivals_waiting_agents_and_draining_peers_alone() {
        let p = BalancePolicy::default();
        let mut agents = busy(6);
        agents[0].since_arrival = Some(Duration::from_secs(1));
        agents[1].runnable = false;
        agents[2].since_arrival = Some(Duration::from_secs(60));
        let plan = plan_balance(&p, Load { runnable: 6, agents: 6 }, &[peer("b", 0, 0)], &agents);
        let moved: Vec<AgentId> = plan.iter().map(|(a, _)| a.clone()).collect();
        assert_eq!(moved, [id(3), id(4), id(5)]);
        let mut gone = peer("b", 0, 0);
        gone.draining = true;
        assert!(plan_balance(&p, Load { runnable: 6, agents: 6 }, &[gone], &busy(6)).is_empty());
        assert!(plan_balance(&p, Load { runnable: 6, agents: 6 }, &[], &busy(6)).is_empty());
    }

    #[test]
    fn no_ping_pong_between_two_balanced_nodes() {
        // Two nodes run the policy against each other's reports until quiet:
        // the total is kept and the gap ends within the settled gap.
        let p = BalancePolicy { max_per_round: 2, ..BalancePolicy::default() };
        let (mut a, mut b) = (9usize, 0usize);
        for _ in 0..10 {
            let from_a = plan_balance(&p, Load { runnable: a, agents: a }, &[peer("b", b, b)], &busy(a as u64)).len();
            a -= from_a;
            b += from_a;
            let from_b = plan_balance(&p, Load { runnable: b, agents: b }, &[peer("a", a, a)], &busy(b as u64)).len();
            b -= from_b;
            a += from_b;
        }
        assert_eq!(a + b, 9);
        assert!(a.abs_diff(b) <= 1, "{a} {b}");
    }

    #[test]
    fn a_peers_report_counts_what_was_sent_to_it_until_the_next() {
        let loads = PeerLoads::default();
        loads.record("b", Load { runnable: 1, agents: 2 }, false);
        loads.note_sent("b", true);
        loads.note_sent("nobody", true);
        assert_eq!(loads.get("b").unwrap().load, Load { runnable: 2, agents: 3 });
        loads.record("b", Load { runnable: 0, agents: 0 }, true);
        assert_eq!(loads.fresh(), vec![PeerLoad { node: "b".into(), load: Load::default(), draining: true }]);
    }
}
