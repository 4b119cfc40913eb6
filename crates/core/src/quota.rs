//! Quotas: what one agent may take of a node (memory, instructions per
//! second, mailbox, message size, children) and how many agents a node
//! holds, as plain data, plus the instruction-rate throttle as a pure
//! token bucket.
//!
//! The runtime enforces them (`runtime/quotas.rs`): a crossed quota is a
//! Tcl error in the agent (memory, message size, forks), a refused spawn,
//! arrival or send, or a delay (instructions per second: the agent is
//! throttled, never killed, so the others keep their share of the workers).
//! `RuntimeConfig::quotas` holds the node's defaults; an owner's grant may
//! narrow them (`OwnerQuotas`); every agent's quotas are looked up through
//! `Shared::quotas_of`/`quotas_for`, which apply its owner's.

use std::time::{Duration, Instant};

/// Limits on what agents may take of a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quotas {
    /// Agents living on the node at once (spawns and arrivals past it are
    /// refused). Node-wide.
    pub max_agents: usize,
    /// Bytes an agent's interpreter may hold (values, variables, frames,
    /// operand stack, procs and their bytecode), as counted by
    /// `itinerant_tcl::memory`.
    pub memory_bytes: usize,
    /// Instructions per second an agent may run before it is delayed;
    /// `UNLIMITED` (the default) never delays: the scheduler's slices
    /// already share the workers fairly, and an arrival charged against a
    /// rate costs every hop a delay (`ARRIVAL_INSTRUCTIONS` / rate), so a
    /// rate is what an operator sets for agents it does not trust.
    pub instructions_per_second: u64,
    /// Messages waiting in an agent's mailbox before sends to it are
    /// refused.
    pub mailbox_depth: usize,
    /// Largest message body, in bytes, an agent may send or receive.
    pub message_bytes: usize,
    /// Children (`agent_fork`, `agent_submit` to this node) an agent may
    /// have alive at once, including one on its way.
    pub outstanding_forks: usize,
}

impl Default for Quotas {
    /// Generous defaults: no benchmark or well-behaved agent meets them
    /// (a million idle agents fit; a node's memory does not fit ten of the
    /// largest agents, which is what an operator's policy narrows).
    fn default() -> Quotas {
        Quotas {
            max_agents: 4_000_000,
            memory_bytes: 512 << 20,
            instructions_per_second: UNLIMITED,
            mailbox_depth: 10_000,
            message_bytes: 16 << 20,
            outstanding_forks: 10_000,
        }
    }
}

/// One owner's quotas as a node's policy grants them: each one set
/// narrows the node's own (`narrow`); none set leaves the node's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnerQuotas {
    /// Agents of the owner living on the node at once (counted apart from
    /// the node-wide `Quotas::max_agents`).
    pub agents: Option<usize>,
    pub memory_bytes: Option<usize>,
    pub instructions_per_second: Option<u64>,
    pub mailbox_depth: Option<usize>,
    pub message_bytes: Option<usize>,
    pub outstanding_forks: Option<usize>,
}

impl OwnerQuotas {
    /// The node's quotas `node`, each narrowed to the owner's where the
    /// owner has a smaller one: a policy can only tighten what the node
    /// allows every agent, never lift it.
    pub fn narrow(&self, node: &Quotas) -> Quotas {
        fn min<T: Ord + Copy>(node: T, owner: Option<T>) -> T {
            owner.map_or(node, |o| o.min(node))
        }
        Quotas {
            max_agents: node.max_agents,
            memory_bytes: min(node.memory_bytes, self.memory_bytes),
            instructions_per_second: min(node.instructions_per_second, self.instructions_per_second),
            mailbox_depth: min(node.mailbox_depth, self.mailbox_depth),
            message_bytes: min(node.message_bytes, self.message_bytes),
            outstanding_forks: min(node.outstanding_forks, self.outstanding_forks),
        }
    }
}

/// An instruction rate without a limit.
pub const UNLIMITED: u64 = u64::MAX;

/// What an arrival (a jump, move, fork or submit landing here) costs an
/// agent of its instruction rate: a migration takes the node far more work
/// than an instruction, and an agent hopping between two nodes as fast as
/// it can is held to `instructions_per_second / ARRIVAL_INSTRUCTIONS`
/// arrivals per second (20 at 2 million).
pub const ARRIVAL_INSTRUCTIONS: u64 = 100_000;

/// An agent's instruction-rate throttle: a token bucket holding at most one
/// second of instructions, refilled at the quota's rate. Pure: the caller
/// passes the time.
#[derive(Clone, Debug)]
pub struct Throttle {
    /// Instructions the agent may still run without delay (negative: it
    /// overdrew, and must wait until the refill covers the debt).
    tokens: i64,
    refilled_at: Instant,
}

impl Throttle {
    /// A full bucket at `now`.
    pub fn new(rate: u64, now: Instant) -> Throttle {
        Throttle { tokens: clamp_i64(rate), refilled_at: now }
    }

    /// An empty bucket at `now` (an agent that just arrived: the bucket
    /// does not travel with it, so it must not start full).
    pub fn empty(now: Instant) -> Throttle {
        Throttle { tokens: 0, refilled_at: now }
    }

    /// Counts `used` instructions run up to `now`; returns how long the
    /// agent must wait before it runs again (none: go on).
    pub fn charge(&mut self, rate: u64, used: u64, now: Instant) -> Option<Duration> {
        let rate = rate.max(1);
        let elapsed = now.saturating_duration_since(self.refilled_at);
        let refill = (elapsed.as_nanos().saturating_mul(rate as u128) / 1_000_000_000).min(i64::MAX as u128) as i64;
        self.refilled_at = now;
        self.tokens = self.tokens.saturating_add(refill).min(clamp_i64(rate)).saturating_sub(clamp_i64(used));
        if self.tokens >= 0 {
            return None;
        }
        let debt = self.tokens.unsigned_abs() as u128;
        let nanos = (debt * 1_000_000_000).div_ceil(rate as u128);
        Some(Duration::from_nanos(nanos.min(u64::MAX as u128) as u64))
    }
}

fn clamp_i64(n: u64) -> i64 {
    n.min(i64::MAX as u64) as i64
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_owner_narrows_the_node_quotas_never_widens_them() {
        let node = Quotas { memory_bytes: 1000, mailbox_depth: 10, ..Quotas::default() };
        let owner = OwnerQuotas {
            memory_bytes: Some(100),
            mailbox_depth: Some(50),
            instructions_per_second: Some(7),
            ..OwnerQuotas::default()
        };
        let q = owner.narrow(&node);
        assert_eq!((q.memory_bytes, q.mailbox_depth, q.instructions_per_second), (100, 10, 7));
        assert_eq!((q.message_bytes, q.outstanding_forks), (node.message_bytes, node.outstanding_forks));
        assert_eq!(OwnerQuotas::default().narrow(&node), node);
    }

    use super::*;

    #[test]
    fn a_full_bucket_lets_one_second_of_instructions_through() {
        let t0 = Instant::now();
        let mut t = Throttle::new(1000, t0);
        assert_eq!(t.charge(1000, 600, t0), None);
        assert_eq!(t.charge(1000, 400, t0), None);
        // Overdrawn by 500 instructions at 1000/s: half a second.
        assert_eq!(t.charge(1000, 500, t0), Some(Duration::from_millis(500)));
    }

    #[test]
    fn the_bucket_refills_at_the_rate_and_holds_at_most_one_second() {
        let t0 = Instant::now();
        let mut t = Throttle::new(1000, t0);
        assert_eq!(t.charge(1000, 1500, t0), Some(Duration::from_millis(500)));
        // After the wait the debt is paid; a long rest refills one second only.
        assert_eq!(t.charge(1000, 0, t0 + Duration::from_millis(500)), None);
        assert_eq!(t.charge(1000, 1000, t0 + Duration::from_secs(60)), None);
        assert_eq!(t.charge(1000, 10, t0 + Duration::from_secs(60)), Some(Duration::from_millis(10)));
    }

    #[test]
    fn a_steady_overdraw_is_held_to_the_rate() {
        // An agent running 10,000-instruction slices at a 50,000/s quota
        // runs five slices per second, however often it asks.
        let t0 = Instant::now();
        let mut t = Throttle::new(50_000, t0);
        let mut now = t0;
        let mut slices = 0;
        while now < t0 + Duration::from_secs(10) {
            slices += 1;
            if let Some(wait) = t.charge(50_000, 10_000, now) {
                now += wait;
            }
        }
        // Ten seconds of the rate plus the first full bucket.
        assert!((54..=56).contains(&slices), "{slices} slices");
    }
}
