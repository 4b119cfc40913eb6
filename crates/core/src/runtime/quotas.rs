//! Quotas enforced by the runtime (`quota.rs` holds the numbers): the
//! lookup of an agent's quotas, agents per node, children per agent,
//! message size, and the instruction-rate throttle. Memory is counted by
//! the interpreter itself (`itinerant_tcl::memory`), with the quota set
//! when the runtime attaches an interpreter; mailbox depth is checked where
//! a message is delivered (`delivery.rs`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{lock, Agent, AgentId, Message, SendError, Shared, Slot, Wait, WaitRequest};
use crate::owner::Credential;
use crate::quota::{Quotas, Throttle, ARRIVAL_INSTRUCTIONS, UNLIMITED};

/// An agent's instruction rate: its token bucket (made at its first
/// slice) and the interpreter's instruction count at the last charge.
#[derive(Default)]
pub(super) struct Rate {
    throttle: Option<Throttle>,
    counted: u64,
    /// Instructions charged beyond those run (its arrival).
    debt: u64,
    /// Its owner was told it is throttled (once per node).
    reported: bool,
}

impl Rate {
    /// The rate of an agent that just arrived: an empty bucket, its arrival
    /// charged.
    pub(super) fn arrived() -> Rate {
        Rate { throttle: Some(Throttle::empty(Instant::now())), debt: ARRIVAL_INSTRUCTIONS, ..Rate::default() }
    }
}

impl Shared {
    /// The quotas of an agent with `credential`: the node's, narrowed by
    /// its owner's grant. Takes none of the runtime's locks (the authority
    /// has its own), so callers may hold the registry.
    pub(crate) fn quotas_of(&self, credential: Option<&Credential>) -> Quotas {
        let node = &self.config.quotas;
        match self.authority.get().map(|a| a.grant(credential.map(|c| &c.owner))) {
            Some(Ok(grant)) => grant.quotas.narrow(node),
            _ => node.clone(),
        }
    }

    /// The quotas of agent `id` living here (the caller must not hold the
    /// registry lock).
    pub(crate) fn quotas_for(&self, id: &AgentId) -> Quotas {
        match self.authority.get() {
            None => self.config.quotas.clone(),
            Some(_) => self.quotas_of(self.credential_of(id).as_deref()),
        }
    }

    /// Refuses a new agent (spawn, arrival) when the node holds its quota
    /// of agents. Counting is needed only once the registry (which also
    /// keeps ended agents and forwarding pointers) is that large.
    pub(super) fn refuse_if_full(&self) -> Result<(), String> {
        let max = self.config.quotas.max_agents;
        let slots = lock(&self.slots);
        if slots.len() < max {
            return Ok(());
        }
        let live = slots.values().filter(|s| s.is_here()).count();
        match live >= max {
            true => Err(self.refusing(
                crate::observe::Refusal::AgentQuota,
                format!("agent quota exceeded: node {} holds {live} agents (quota {max})", self.config.node),
            )),
            false => Ok(()),
        }
    }

    /// Counts a child of the agent of `slot` on its way (`agent_fork`,
    /// `agent_submit`), or refuses it past the agent's quota.
    pub(super) fn reserve_child(&self, id: &AgentId, slot: &mut Slot) -> Result<(), String> {
        let quota = self.quotas_of(slot.credential.as_deref()).outstanding_forks;
        let children = slot.children.get_or_insert_with(Default::default);
        let alive = children.load(Ordering::SeqCst);
        if alive >= quota {
            let why = format!("fork quota exceeded: agent {id} has {alive} children alive (quota {quota})");
            tracing::warn!(node = %self.config.node, "{why}");
            return Err(self.refusing(crate::observe::Refusal::ForkQuota, why));
        }
        children.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// The count a child arriving here from `parent` (forked on this node)
    /// belongs to: it gives its place back when it ends or leaves.
    pub(super) fn parent_children(&self, parent: &AgentId) -> Option<Arc<AtomicUsize>> {
        lock(&self.slots).get(parent).and_then(|s| s.children.clone())
    }

    /// A fork or submit settled: a child that did not come to live here
    /// (refused, or on another node, which counts its own agents) is no
    /// longer outstanding.
    pub(super) fn child_settled(&self, slot: &Slot, stays_here: bool) {
        if !stays_here {
            if let Some(c) = &slot.children {
                let _ = c.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
            }
        }
    }

    /// Refuses a message past the message-size quota of the agent of
    /// `slot`, its sender (a Tcl error) or its receiver (a remote sender
    /// gets a failure): `whose` says which.
    pub(super) fn check_message_size(&self, slot: Option<&Slot>, msg: &Message, whose: &str) -> Result<(), SendError> {
        check_size(&self.quotas_of(slot.and_then(|s| s.credential.as_deref())), msg, whose)
            .inspect_err(|_| self.counters.refused(crate::observe::Refusal::MessageSize))
    }

    /// Counts the instructions the agent ran since the last charge; how
    /// long it must wait before it runs again, if it is over its rate. The
    /// first time, its console and the node log say so.
    fn throttle(&self, agent: &mut Agent) -> Option<Duration> {
        let rate = self.quotas_for(&agent.id).instructions_per_second;
        if rate == UNLIMITED {
            return None;
        }
        let now = Instant::now();
        let ran = agent.interp.instructions_run();
        let used = ran.saturating_sub(agent.rate.counted) + std::mem::take(&mut agent.rate.debt);
        agent.rate.counted = ran;
        let delay = agent.rate.throttle.get_or_insert_with(|| Throttle::new(rate, now)).charge(rate, used, now)?;
        if !agent.rate.reported {
            agent.rate.reported = true;
            // An agent hopping between nodes starts a new `Rate` on each,
            // but its console travels with it: told once is enough.
            if self.console_tail_mentions(&agent.id, "throttled") {
                return Some(delay);
            }
            let why = format!(
                "agent {} throttled: over its quota of {rate} instructions per second \
                 (an arrival counts as {ARRIVAL_INSTRUCTIONS})",
                agent.id
            );
            tracing::warn!(node = %self.config.node, "{why}");
            self.write_console(&agent.id, &format!("[quota] {why}\n"));
        }
        Some(delay)
    }

    /// Gives a preempted agent back to the queue, or holds it back (parked,
    /// taking no worker) while it is over its instruction rate.
    pub(super) fn requeue_or_throttle(&self, mut agent: Box<Agent>) {
        match self.throttle(&mut agent) {
            Some(delay) => self.park(agent, Wait::Throttled, Some(delay)),
            None => self.requeue(agent),
        }
    }

    /// Serves a migration request (`agent_jump`, `agent_fork`,
    /// `agent_submit`) only within the agent's rate: over it, the agent is
    /// held back with its request pending, and asks again when woken.
    pub(super) fn depart_within_rate(&self, mut agent: Box<Agent>, request: WaitRequest) -> Option<Box<Agent>> {
        match self.throttle(&mut agent) {
            Some(delay) => {
                self.park(agent, Wait::Throttled, Some(delay));
                None
            }
            None => self.wait(agent, request),
        }
    }

    /// Does the end of the agent's console contain `text`?
    fn console_tail_mentions(&self, id: &AgentId, text: &str) -> bool {
        const TAIL_BYTES: usize = 4096;
        let slots = lock(&self.slots);
        let Some(console) = slots.get(id).map(|s| s.console.as_str()) else { return false };
        let mut from = console.len().saturating_sub(TAIL_BYTES);
        while !console.is_char_boundary(from) {
            from += 1;
        }
        console[from..].contains(text)
    }

    /// An agent stopped by a quota: the node log says so (its outcome
    /// carries the reason to its owner).
    pub(super) fn report_stopped(&self, id: &AgentId, why: &str) {
        tracing::warn!(node = %self.config.node, "agent {id} stopped: {why}");
        self.write_console(id, &format!("[quota] agent {id} stopped: {why}\n"));
    }
}

fn check_size(quotas: &Quotas, msg: &Message, whose: &str) -> Result<(), SendError> {
    let bytes = message_bytes(msg);
    match bytes > quotas.message_bytes {
        true => Err(SendError::Quota(format!(
            "message size quota exceeded: {bytes} bytes, {whose} quota is {} bytes",
            quotas.message_bytes
        ))),
        false => Ok(()),
    }
}

/// A message's size: its body and, for an ACL message, its parameters.
fn message_bytes(msg: &Message) -> usize {
    let acl = msg
        .acl
        .as_ref()
        .map_or(0, |a| a.performative.len() + a.params.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>());
    msg.body.len() + acl
}

impl Slot {
    /// The agent ends or leaves this node: it no longer counts as its
    /// parent's child.
    pub(super) fn leave_parent(&mut self) {
        if let Some(c) = self.parent_children.take() {
            let _ = c.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        }
    }
}
