//! Checkpoints: an agent's whole state as plain data ([`AgentImage`]), and
//! the [`Persist`] interface through which the runtime hands images to
//! durable storage (the node's store; the runtime knows no files).
//!
//! When an image is taken (see `runtime.rs`): at spawn; when an agent
//! parks in a receive or `after` (at most once per agent per
//! [`PARK_CHECKPOINT_GAP`], later ones deferred to the checkpoint thread);
//! at a slice boundary when the last checkpoint is older than the
//! configured interval; when a suspend takes effect; and for every agent at
//! a clean stop. Every `save`, `forget` and `ended` is issued under the
//! registry lock, so the store sees them in the order the agent lived them (a late
//! image can never resurrect an agent that ended).

use std::time::Duration;

use crate::df::Description;
use crate::ordering::OrderingState;
use crate::runtime::{AgentId, AgentOutcome, Message};

/// Parks closer together than this share one checkpoint (a ping-pong
/// agent parks at every message; it is checkpointed at most this often).
pub const PARK_CHECKPOINT_GAP: Duration = Duration::from_millis(100);

/// An agent at rest: enough to continue it in another process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentImage {
    pub id: AgentId,
    pub name: Option<String>,
    /// The interpreter (`itinerant_tcl::snapshot::save`), including the
    /// request it waits on, if any.
    pub snapshot: Vec<u8>,
    /// Messages received but not yet taken, oldest first.
    pub mailbox: Vec<Message>,
    /// Stopped by `suspend`.
    pub suspended: bool,
    /// When a timed wait (`after`, `agent_receive -timeout`) ends, in
    /// milliseconds since the Unix epoch (wall clock, so that it survives a
    /// restart).
    pub wake_at_ms: Option<u64>,
    /// The latest console output (at most the runtime's console limit).
    pub console: String,
    /// The agent's entries in the directory facilitator.
    pub services: Vec<Description>,
    /// Counts the agent's departures (jump, fork, submit): a transfer is
    /// known by (agent id, epoch), so a repeated or late one is recognised.
    pub epoch: u64,
    /// The agent's resource bindings (`resources.rs`).
    pub resources: Vec<crate::resources::Resource>,
    /// In a transfer only: the data of bindings moved or copied along
    /// (written into the destination's sandbox and store on arrival).
    pub carried: Vec<crate::resources::Carried>,
    /// Set on the checkpoint of an agent frozen for a platform-initiated
    /// move (`Runtime::migrate`), to the node it goes to: after a crash the same
    /// transfer is sent again (a jump's keeps its pending `agent_jump`
    /// instead). Never set on the image that travels.
    pub moving_to: Option<String>,
    /// The numbers of the messages it sent and the streams it receives
    /// (`ordering.rs`).
    pub ordering: OrderingState,
    /// Who the agent belongs to and the signed submission it descends
    /// from (`owner.rs`); none for an unsigned agent.
    pub credential: Option<std::sync::Arc<crate::owner::Credential>>,
    /// The nodes it has lived on, with times (`observe.rs`).
    pub itinerary: crate::observe::Itinerary,
}

impl AgentImage {
    /// The image of an agent that has only its interpreter: no mailbox,
    /// console, services, bindings or history (a child about to start, a
    /// test fixture).
    pub fn fresh(id: AgentId, snapshot: Vec<u8>, epoch: u64) -> AgentImage {
        AgentImage {
            id,
            name: None,
            snapshot,
            mailbox: Vec::new(),
            suspended: false,
            wake_at_ms: None,
            console: String::new(),
            services: Vec::new(),
            epoch,
            resources: Vec::new(),
            carried: Vec::new(),
            moving_to: None,
            ordering: OrderingState::default(),
            credential: None,
            itinerary: Default::default(),
        }
    }
}

/// Durable storage for agent images (implemented by the node).
pub trait Persist: Send + Sync {
    /// Stores `image`, replacing the agent's earlier one. Must not block
    /// for long: it is called with the registry locked.
    fn save(&self, image: AgentImage);

    /// The agent left this node: its image goes. Same rule as `save`.
    fn forget(&self, id: &AgentId);

    /// The agent ended here: its image goes and its outcome is kept, in
    /// one durable write (after a crash it is either still to run or ended
    /// with this outcome, never both, never neither). Same rule as `save`.
    /// A store that keeps no outcomes only forgets the image.
    fn ended(&self, id: &AgentId, outcome: &AgentOutcome) {
        let _ = outcome;
        self.forget(id);
    }

    /// Records durably that agent numbers below `upto` may be in use, so
    /// that a restarted node never gives an id twice. Called rarely (once
    /// per block of ids), may block.
    fn reserve_ids(&self, upto: u64);

    /// Returns when every earlier `save` and `forget` is durable.
    fn flush(&self);
}
