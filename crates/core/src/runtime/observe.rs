//! The runtime's side of observation (`crate::observe`): counting events
//! where they happen, the sniffer's record of ACL messages, itineraries
//! kept up on spawn and arrival, and the views a dashboard reads.

use std::time::Instant;

use super::{lock, AgentId, AgentState, Message, Runtime, Shared, Slot};
use crate::observe::{now_ms, Itinerary, Refusal, Snapshot, Sniffed};

/// One agent as the dashboard shows it beyond its summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentView {
    pub id: AgentId,
    pub name: Option<String>,
    /// tcl or wasm (empty when not known here).
    pub language: &'static str,
    pub state: AgentState,
    /// The owner's name; empty for an unsigned agent.
    pub owner: String,
    /// Where it lives as this node knows: here, or where it moved to (its
    /// home node follows it there).
    pub node: String,
    /// Time since it was created, or arrived here (restored from a store).
    pub age: std::time::Duration,
    pub mailbox_len: usize,
    pub itinerary: Itinerary,
    /// Each binding's fields as `resource info` gives them.
    pub resources: Vec<Vec<(&'static str, String)>>,
}

impl Shared {
    /// The registry entry of an agent born here (spawned): counted, its
    /// itinerary starting on this node; `language`: its program's.
    pub(super) fn born(&self, name: Option<&str>, language: &'static str) -> Slot {
        self.counters.spawns.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut slot = Slot::new(name.map(str::to_owned), AgentState::Initiated);
        slot.language = language;
        slot.itinerary.arrive(&self.node_name, now_ms());
        slot
    }

    /// An agent admitted here: from another node (`arrived`, a new hop), or
    /// from the store (an image older than itineraries gets one hop).
    pub(super) fn arrived_here(&self, slot: &mut Slot, arrived: bool) {
        if arrived {
            self.counters.migrations_in.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        if arrived || slot.itinerary.hops().is_empty() {
            slot.itinerary.arrive(&self.node_name, now_ms());
        }
    }

    /// A jump or move from here accepted by its destination; `started`:
    /// when the agent was frozen.
    pub(super) fn migrated_out(&self, started: Instant) {
        self.counters.migrations_out.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.counters.migration_latency.observe(started.elapsed());
    }

    /// Counts a refusal and gives its message back.
    pub(super) fn refusing(&self, why: Refusal, message: String) -> String {
        self.counters.refused(why);
        message
    }

    /// A message reaching an agent living here.
    pub(super) fn message_in(&self, to: &AgentId, msg: &Message) {
        self.counters.messages_in.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.sniff(to, msg);
    }

    /// A message sent on to another node (`forwarded`: after an agent that
    /// moved away).
    pub(super) fn message_out(&self, forwarded: bool) {
        self.counters.messages_out.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if forwarded {
            self.counters.forwarded.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Records an ACL message for the sniffer.
    pub(super) fn sniff(&self, to: &AgentId, msg: &Message) {
        if let Some(acl) = &msg.acl {
            let from = msg.from.as_ref().map_or("", |f| f.as_str());
            let conversation = acl.get("conversation-id").unwrap_or("");
            self.sniffer.record(from, to.as_str(), &acl.performative, conversation, &msg.body);
        }
    }
}

impl Runtime {
    /// The event counters now.
    pub fn counters(&self) -> Snapshot {
        self.shared.counters.snapshot()
    }

    /// The ACL messages seen here after sequence number `after` (the
    /// latest `observe::SNIFF_RING`), oldest first.
    pub fn sniffed(&self, after: u64) -> Vec<Sniffed> {
        self.shared.sniffer.since(after)
    }

    /// Agents living here, counted by state (every state, zeros included).
    pub fn agents_by_state(&self) -> Vec<(AgentState, usize)> {
        let slots = lock(&self.shared.slots);
        let states = [
            AgentState::Initiated,
            AgentState::Active,
            AgentState::Waiting,
            AgentState::Suspended,
            AgentState::Transit,
        ];
        states.map(|st| (st, slots.values().filter(|s| s.state == st).count())).to_vec()
    }

    /// One agent's itinerary, owner, mailbox depth and bindings (also an
    /// agent that ended or moved on: its registry entry is kept a while).
    pub fn agent_view(&self, id: &AgentId) -> Option<AgentView> {
        let slots = lock(&self.shared.slots);
        slots.get(id).map(|slot| self.view(id, slot, true))
    }

    /// Every agent the registry holds (ended ones and forwarding pointers
    /// too), without itineraries and bindings, by id.
    pub fn agent_views(&self) -> Vec<AgentView> {
        let slots = lock(&self.shared.slots);
        let mut all: Vec<AgentView> = slots.iter().map(|(id, slot)| self.view(id, slot, false)).collect();
        all.sort_by_key(|v| crate::inspect::id_order(&v.id));
        all
    }

    fn view(&self, id: &AgentId, slot: &Slot, full: bool) -> AgentView {
        AgentView {
            id: id.clone(),
            name: slot.name.clone(),
            language: slot.language,
            state: slot.state,
            owner: slot.credential.as_ref().map(|c| c.owner.name.clone()).unwrap_or_default(),
            node: slot.moved_to.clone().unwrap_or_else(|| self.shared.config.node.clone()),
            age: slot.started.elapsed(),
            mailbox_len: slot.mailbox.len(),
            itinerary: if full { slot.itinerary.clone() } else { Default::default() },
            resources: if full { slot.resources.iter().map(|r| r.describe()).collect() } else { Vec::new() },
        }
    }
}
