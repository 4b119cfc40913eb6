//! The object server as a front (`crate::front`), at the edge: relayed
//! calls go to the back end the pure `Backends` chooses and come back
//! through here; a call that could not be made there (unavailable, or its
//! back end went down while it waited) is made again on another back end
//! (at most once each); in handoff mode a client's call channel is
//! answered with the chosen back end's reference and address instead. A
//! task probes the back ends and takes out those that do not answer.
//!
//! Relayed calls are therefore at-least-once when a back end dies after
//! running a call but before answering it (as `invoke_idempotent`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::proto::{Call, CallOutcome, ObjectWire};
use super::reference::ObjectRef;
use super::{lock, Answer, Objects};
use crate::front::config::Mode;
use crate::front::Front;

/// How often the probe task looks at the back ends.
const PROBE_TICK: Duration = Duration::from_millis(10);

impl Objects {
    /// Makes this node a front (once, at node start) and starts probing.
    pub fn set_front(self: &Arc<Self>, front: Front) {
        if self.front.set(Arc::new(front)).is_err() {
            return;
        }
        let me = Arc::downgrade(self);
        self.handle.spawn(async move {
            loop {
                tokio::time::sleep(PROBE_TICK).await;
                let Some(me) = me.upgrade() else { return };
                me.probe_round(Instant::now());
            }
        });
    }

    /// The front, if this node is one (`itin front`).
    pub fn front(&self) -> Option<&Arc<Front>> {
        self.front.get()
    }

    fn probe_round(&self, now: Instant) {
        let Some(front) = self.front.get() else { return };
        for down in front.expire(now) {
            tracing::warn!(node = %self.node, "front: back end {down} taken out (no probe answer)");
            self.fail_calls_to(&down, &format!("back end {down} is down"));
        }
        for (backend, ticket) in front.probes_due(now) {
            // Not sent (no link): no answer, so the timeout takes it out.
            let _ = self.send(&backend, &ObjectWire::Probe { ticket });
        }
    }

    /// Answers every call waiting on `node` as unavailable (the relay
    /// makes them again elsewhere).
    fn fail_calls_to(&self, node: &str, why: &str) {
        let waiting: Vec<u64> = lock(&self.remote).iter().filter(|(_, (n, _))| n == node).map(|(k, _)| *k).collect();
        for number in waiting {
            lock(&self.lease_sinks).remove(&number);
            let entry = lock(&self.remote).remove(&number);
            if let Some((_, reply)) = entry {
                reply(CallOutcome::Unavailable(why.to_owned()), None);
            }
        }
    }

    /// Relays a call to a fronted adapter (`tried`: back ends it could not
    /// be made on). Called for handoff services too when the caller is
    /// not a call channel (agents, `itin call`, other nodes).
    pub(super) fn relay(
        self: &Arc<Self>,
        number: u64,
        target: ObjectRef,
        call: Call,
        reply: Answer,
        tried: Vec<String>,
    ) {
        let Some(front) = self.front.get().cloned() else {
            return reply(CallOutcome::Unavailable("this node fronts nothing".into()), None);
        };
        let Some(backend) = front.choose(&target.adapter, &target.id, &call.session, &tried) else {
            let why = match tried.is_empty() {
                true => format!("no back end of \"{}\" is up", target.adapter),
                false => {
                    format!("no back end of \"{}\" could take the call (tried {})", target.adapter, tried.join(", "))
                }
            };
            return reply(CallOutcome::Unavailable(why), None);
        };
        let body = Call { target: target.on(&backend).to_string(), ..call.clone() };
        let me = self.clone();
        let chosen = backend.clone();
        let answer: Answer = Box::new(move |outcome, cookie| match outcome {
            CallOutcome::Unavailable(why) => {
                front.finished(&target.adapter, &chosen, Some(&why), 0);
                let mut tried = tried;
                tried.push(chosen);
                me.relay(number, target, call, reply, tried);
            }
            other => {
                let bytes = match &other {
                    CallOutcome::Ok(s) | CallOutcome::Err(s) | CallOutcome::Moved(s) | CallOutcome::Unavailable(s) => {
                        s.len() as u64
                    }
                };
                front.finished(&target.adapter, &chosen, None, bytes);
                reply(other, cookie)
            }
        });
        self.call_remote(number, &backend, body, answer, None);
    }

    /// For a call on a client's call channel: if it is to a service this
    /// node fronts in handoff mode, the back end to hand the client to
    /// (`Ok(reference, address)`) or why there is none (`Err`); `None`:
    /// serve the call as usual.
    pub(super) fn hand_off(&self, call: &Call) -> Option<Result<(String, String), String>> {
        let front = self.front.get()?;
        let target = ObjectRef::parse(&call.target).ok().filter(|t| t.node == self.node)?;
        if front.mode_of(&target.adapter)? != Mode::Handoff {
            return None;
        }
        let peers = self.peers.get().and_then(std::sync::Weak::upgrade);
        let mut tried = Vec::new();
        loop {
            let Some(backend) = front.choose(&target.adapter, &target.id, &call.session, &tried) else {
                return Some(Err(format!("no back end of \"{}\" is up", target.adapter)));
            };
            match peers.as_ref().and_then(|p| p.addr_of(&backend)) {
                Some(addr) => return Some(Ok((target.on(&backend).to_string(), addr.to_string()))),
                None => {
                    front.unreachable(&target.adapter, &backend, "its address is not known");
                    tried.push(backend);
                }
            }
        }
    }
}
