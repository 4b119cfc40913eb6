//! Code on demand in the runtime: `package require` of a library the agent
//! has not loaded. The node (the router) is asked for it; if this node has
//! it, the agent loads it at once on its worker. Otherwise the agent is
//! parked (taking no worker) while the node fetches it from its peers, for
//! at most [`FETCH_TIMEOUT`]; the answer, or the timer, wakes it.
//!
//! Loading is evaluating the library's script at the global level in the
//! agent's interpreter (`Interp::resume_eval`), as VM frames: a long
//! library is preempted like any code, and an agent snapshotted mid-load
//! finishes loading where it is restored.

use std::time::Duration;

use super::{lock, Agent, AgentId, Runtime, Shared, Wait};
use crate::library::{unfound_message, Library, Requirement};

/// Longest wait for a library from other nodes.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

impl Runtime {
    /// The node's answer to a library fetch for the agent parked with
    /// `ticket` (a stale answer is ignored): it loads the library, or fails
    /// with Tcl's `can't find package`.
    pub fn library_fetched(&self, agent: &AgentId, ticket: u64, found: Option<Library>) {
        self.shared.library_fetched(agent, ticket, found)
    }
}

impl Shared {
    /// Serves `package require NAME REQ`: the agent back when it can go on
    /// now (loading, or failing), otherwise parked until the fetch ends.
    pub(super) fn require_library(&self, mut agent: Box<Agent>, name: String, req: Requirement) -> Option<Box<Agent>> {
        let router = self.router();
        if let Some(lib) = router.as_ref().and_then(|r| r.find_library(&name, &req)) {
            load(&mut agent, &lib);
            return Some(agent);
        }
        let unfound = unfound_message(&name, &req);
        let Some(router) = router else {
            let _ = agent.interp.resume(Err(unfound));
            return Some(agent);
        };
        let id = agent.id.clone();
        // Parked before the node is asked, so that the answer cannot come
        // before the agent waits for it.
        let ticket = {
            let mut slots = lock(&self.slots);
            let Some(slot) = slots.get_mut(&id) else { return Some(agent) };
            self.park_locked(slot, agent, Wait::Library { unfound }, Some(FETCH_TIMEOUT));
            match &slot.parked {
                Some(p) => p.generation,
                None => return None, // killed meanwhile: it ended
            }
        };
        if let Err(why) = router.fetch_library(&id, ticket, &name, &req) {
            tracing::warn!(node = %self.config.node, "library {name} for agent {id}: {why}");
            self.library_fetched(&id, ticket, None);
        }
        None
    }

    pub(super) fn library_fetched(&self, id: &AgentId, ticket: u64, found: Option<Library>) {
        let mut slots = lock(&self.slots);
        let Some(slot) = slots.get_mut(id) else { return };
        let waiting =
            slot.parked.as_ref().is_some_and(|p| p.generation == ticket && matches!(p.wait, Wait::Library { .. }));
        if !waiting {
            return; // timed out already, or killed
        }
        let Some(parked) = slot.parked.take() else { return };
        let mut agent = parked.agent;
        match (found, parked.wait) {
            (Some(lib), _) => load(&mut agent, &lib),
            (None, Wait::Library { unfound }) => {
                let _ = agent.interp.resume(Err(unfound));
            }
            (None, _) => {}
        }
        agent.dirty = true;
        self.make_runnable(slot, agent);
    }
}

/// Answers the agent's pending `package require` with the library: its
/// script at the global level, then the version recorded as loaded.
fn load(agent: &mut Agent, lib: &Library) {
    let annotation = format!("(package \"{}\" {} script line %d)", lib.name, lib.version);
    if let Err(e) = agent.interp.resume_eval(&crate::package::load_script(lib), Some(&annotation)) {
        tracing::warn!("agent {}: library {} not loaded: {e}", agent.id, lib.name);
    }
}
