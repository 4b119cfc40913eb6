//! `object call` served by the runtime: the agent is parked (taking no
//! worker) while the node calls the object, for at most the call's
//! timeout; the answer (`Runtime::object_answered`) or the timer wakes it.
//! A checkpoint taken meanwhile keeps the request: after a restart the
//! call is made again (at least once, not exactly once).

use std::time::Duration;

use super::{lock, Agent, AgentId, Runtime, Shared, Wait};

impl Runtime {
    /// The answer to the `object call` of the agent parked with `ticket`
    /// (a stale one, after a timeout, is ignored): the method's result, or
    /// an error raised in the agent.
    pub fn object_answered(&self, agent: &AgentId, ticket: u64, result: Result<String, String>) {
        self.shared.object_answered(agent, ticket, result)
    }
}

impl Shared {
    /// Serves `object call`: `words` are the timeout in milliseconds, the
    /// reference, the method and its arguments.
    pub(super) fn object_call(&self, mut agent: Box<Agent>, mut words: Vec<String>) -> Option<Box<Agent>> {
        let ms = words.first().and_then(|w| w.parse::<u64>().ok()).unwrap_or(crate::object_cmds::DEFAULT_CALL_MS);
        let timeout = Duration::from_millis(ms);
        words.remove(0);
        let target = words.first().cloned().unwrap_or_default();
        let Some(router) = self.router() else {
            let _ = agent.interp.resume(Err("this node has no object server".into()));
            return Some(agent);
        };
        let id = agent.id.clone();
        // Parked before the call leaves, so that the answer cannot come
        // before the agent waits for it.
        let ticket = {
            let mut slots = lock(&self.slots);
            let Some(slot) = slots.get_mut(&id) else { return Some(agent) };
            let timeout_error = format!("object {target} did not answer within {ms} ms");
            self.park_locked(slot, agent, Wait::Reply { timeout_error }, Some(timeout));
            match &slot.parked {
                Some(p) => p.generation,
                None => return None, // killed, or moving: it is gone from here
            }
        };
        if let Err(why) = router.object_call(&id, ticket, words, timeout) {
            self.object_answered(&id, ticket, Err(why));
        }
        None
    }

    pub(super) fn object_answered(&self, id: &AgentId, ticket: u64, result: Result<String, String>) {
        let mut slots = lock(&self.slots);
        let Some(slot) = slots.get_mut(id) else { return };
        let waiting =
            slot.parked.as_ref().is_some_and(|p| p.generation == ticket && matches!(p.wait, Wait::Reply { .. }));
        if !waiting {
            return;
        }
        let Some(parked) = slot.parked.take() else { return };
        let mut agent = parked.agent;
        let _ = agent.interp.resume(result);
        agent.dirty = true;
        self.make_runnable(slot, agent);
    }
}
