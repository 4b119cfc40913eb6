//! The directory facilitator's replication as the runtime sees it: entries
//! told by other nodes (a node speaks for its own agents, and to their
//! home for those living on it), this node's entries for a new peer, and
//! telling the router when a local agent's entries change.

use super::{lock, AgentId, Runtime, Shared};

impl Runtime {
    /// Applies a directory update from another node.
    pub fn directory_update(&self, agent: &AgentId, services: Vec<crate::df::Description>) {
        if agent.home() != self.shared.config.node {
            lock(&self.shared.directory).replace(agent, services);
        }
    }

    /// Directory entries for `agent` told by node `from`, which speaks for
    /// it if it is the agent's home, or — heard by the home — the node the
    /// agent moved to (the home's location record says so). The home then
    /// takes the entries as its own agent's and tells every peer, so the
    /// entries of an agent living away from home reach the cluster through
    /// its home. Anything else is a stale or foreign word: ignored.
    pub fn directory_update_from(&self, from: &str, agent: &AgentId, services: Vec<crate::df::Description>) -> bool {
        let s = &self.shared;
        if agent.home() == from {
            self.directory_update(agent, services);
            return true;
        }
        if agent.home() != s.config.node {
            return false;
        }
        {
            let slots = lock(&s.slots);
            let away_at = slots.get(agent).and_then(|slot| slot.moved_to.as_deref());
            if away_at != Some(from) {
                return false;
            }
        }
        lock(&s.directory).replace(agent, services);
        s.directory_changed(agent);
        true
    }

    /// The directory entries of this node's agents (sent to a new peer).
    pub fn local_directory(&self) -> Vec<(AgentId, Vec<crate::df::Description>)> {
        lock(&self.shared.directory).entries_of_node(&self.shared.config.node)
    }
}

impl Shared {
    /// Tells the router (if any) about a local agent's directory entries.
    pub(crate) fn directory_changed(&self, id: &AgentId) {
        if let Some(r) = self.router() {
            let services = lock(&self.directory).services_of(id);
            r.directory_changed(id, &services);
        }
    }
}
