//! Mobility in the runtime: agents leaving (`agent_jump`, `agent_fork`,
//! `agent_submit`) and arriving, and the forwarding pointers they leave.
//!
//! The runtime knows no network: a departure is handed to the router (the
//! node), which runs the handoff and reports the outcome with
//! [`Runtime::departure_done`]. Until then the agent is frozen here, never
//! running: a jump that is not yet known to have succeeded or failed may
//! have succeeded (DESIGN.md, "Mobility"). Every departure raises the
//! agent's epoch; the pair (agent id, epoch) names the transfer, so the
//! destination recognises a repeated one. A frozen agent's checkpoint keeps
//! its pending request, and a restore sends the same transfer again.

use std::sync::Arc;
use std::time::Instant;

use itinerant_tcl::Interp;

use super::{lock, Agent, AgentId, AgentImage, AgentState, Runtime, Shared, Slot, WaitRequest};

/// Why an agent, or a new agent made from it, leaves this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepartureKind {
    /// The agent itself moves, with its whole state and mailbox.
    Jump,
    /// A copy continues on the destination, as a new agent.
    Fork,
    /// A new agent runs a script built from the parent's procs and vars.
    Submit,
}

impl DepartureKind {
    pub fn name(self) -> &'static str {
        match self {
            DepartureKind::Jump => "jump",
            DepartureKind::Fork => "fork",
            DepartureKind::Submit => "submit",
        }
    }

    pub fn from_name(name: &str) -> Option<DepartureKind> {
        match name {
            "jump" => Some(DepartureKind::Jump),
            "fork" => Some(DepartureKind::Fork),
            "submit" => Some(DepartureKind::Submit),
            _ => None,
        }
    }

    fn request(self) -> &'static str {
        match self {
            DepartureKind::Jump => "agent_jump",
            DepartureKind::Fork => "agent_fork",
            DepartureKind::Submit => "agent_submit",
        }
    }
}

/// A transfer to another node. `image.id` and `image.epoch` name it: for
/// a jump the image is the agent; for a fork, the parent's state (the
/// clone gets a new id on arrival); for a submit, a fresh interpreter
/// running the child's script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Departure {
    pub kind: DepartureKind,
    pub dest: String,
    pub image: AgentImage,
    /// Sent before (a frozen agent restored after a restart): it may
    /// already have been accepted, so only the destination may refuse it;
    /// the router keeps it until it can be sent (no link yet, peer down).
    pub resend: bool,
}

/// What the destination answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DepartureOutcome {
    /// Durably recorded there; the id the agent has there.
    Accepted(AgentId),
    /// Durably refused (or never sent): the agent stays here.
    Refused(String),
}

/// A departure in progress: the frozen agent (for a jump) or the waiting
/// parent (fork, submit).
pub(super) struct Departing {
    pub(super) agent: Box<Agent>,
    kind: DepartureKind,
    dest: String,
    epoch: u64,
    /// Messages of the mailbox that went with the image (a jump).
    mailbox_sent: usize,
}

/// An arriving or recovered agent, restored but not yet running (the node
/// stores it durably first).
pub struct Prepared {
    agent: Box<Agent>,
    image: AgentImage,
    wait: Option<Result<WaitRequest, String>>,
}

impl Prepared {
    pub fn id(&self) -> &AgentId {
        &self.image.id
    }

    /// The image to store: the agent as it will start here.
    pub fn image(&self) -> &AgentImage {
        &self.image
    }
}

impl Runtime {
    /// Restores an agent from `image` as it arrives by `kind` (the
    /// departure's pending request answered, a clone or child given its
    /// own id and identity here), without starting it.
    pub fn prepare_arrival(&self, kind: DepartureKind, image: AgentImage) -> Result<Prepared, String> {
        let s = &self.shared;
        let mut interp = itinerant_tcl::snapshot::restore(&image.snapshot)
            .map_err(|e| format!("agent {}: bad snapshot: {e}", image.id))?;
        let node = s.config.node.clone();
        let mut image = image;
        let id = match kind {
            DepartureKind::Jump => image.id.clone(),
            DepartureKind::Fork | DepartureKind::Submit => {
                let id = s.new_id();
                interp.set_var("agent(local)", id.as_str())?;
                interp.set_var("agent(home)", &node)?;
                interp.set_var("agent(name)", "")?;
                image = AgentImage {
                    id: id.clone(),
                    name: None,
                    mailbox: Vec::new(),
                    console: String::new(),
                    services: Vec::new(),
                    epoch: 0,
                    ..image
                };
                id
            }
        };
        interp.set_var("agent(node)", &node)?;
        if kind != DepartureKind::Submit {
            // The jump or fork returns "" where the agent now runs.
            match interp.pending_request() {
                Some(req) if req.command == kind.request() => {
                    let _ = interp.resume(Ok(String::new()));
                }
                _ => return Err(format!("agent {id}: the image is not at an {}", kind.request())),
            }
        }
        image.snapshot = itinerant_tcl::snapshot::save(&interp).map_err(|e| e.to_string())?;
        s.prepare(interp, image, None)
    }

    /// Starts a prepared agent (after the node stored it).
    pub fn admit(&self, prepared: Prepared) -> Result<(), String> {
        self.shared.admit(prepared)
    }

    /// The node's answer to a departure: the agent moved (its mailbox's
    /// later messages follow it; a forwarding pointer stays), or the clone
    /// or child exists, or the agent carries on here with an error.
    pub fn departure_done(&self, id: &AgentId, epoch: u64, outcome: DepartureOutcome) {
        self.shared.departure_done(id, epoch, outcome)
    }

    /// An agent arrives by a jump at `epoch` while this node still holds
    /// it frozen in an older jump of its own (the node restarted before it
    /// heard that jump's answer, and the agent came back meanwhile). It
    /// can only have reached `epoch` through that jump's acceptance, so the
    /// old departure is settled as accepted now: its image is forgotten
    /// before the arrival is stored, and the arrival finds no copy here.
    /// Returns whether there was one to settle.
    pub fn settle_overtaken_jump(&self, id: &AgentId, epoch: u64) -> bool {
        let frozen = {
            let slots = lock(&self.shared.slots);
            slots.get(id).and_then(|slot| slot.departing.as_ref()).map(|d| (d.kind, d.epoch))
        };
        match frozen {
            Some((DepartureKind::Jump, frozen)) if epoch > frozen => {
                self.shared.departure_done(id, frozen, DepartureOutcome::Accepted(id.clone()));
                true
            }
            _ => false,
        }
    }

    /// The home node learns where one of its agents now is.
    pub fn location_update(&self, id: &AgentId, node: &str, epoch: u64) {
        let s = &self.shared;
        let mut slots = lock(&s.slots);
        let slot = slots.entry(id.clone()).or_insert_with(|| Box::new(Slot::new(None, AgentState::Moved)));
        if slot.state == AgentState::Moved && epoch >= slot.epoch {
            slot.epoch = epoch;
            slot.moved_to = (node != s.config.node).then(|| node.to_owned());
        }
    }
}

impl Shared {
    fn new_id(&self) -> AgentId {
        let n = self.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.reserve_id(n);
        AgentId(Arc::from(format!("{n}@{}", self.config.node)))
    }

    /// Turns a restored interpreter into an agent not yet running; `wait`
    /// is what it waits on (from its pending request) for a recovery.
    pub(super) fn prepare(
        self: &Arc<Self>,
        mut interp: Interp,
        image: AgentImage,
        wait: Option<Result<WaitRequest, String>>,
    ) -> Result<Prepared, String> {
        self.attach(&mut interp, &image.id);
        if image.id.home() == self.config.node {
            if let Some(n) = image.id.as_str().split_once('@').and_then(|(n, _)| n.parse::<u64>().ok()) {
                self.next_id.fetch_max(n + 1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let mut agent = Agent::new(image.id.clone(), interp);
        agent.checkpointed_at = Some(Instant::now());
        agent.dirty = false;
        Ok(Prepared { agent, image, wait })
    }

    pub(super) fn admit(&self, prepared: Prepared) -> Result<(), String> {
        let Prepared { agent, image, wait } = prepared;
        let id = image.id.clone();
        {
            let mut slots = lock(&self.slots);
            if slots.get(&id).is_some_and(|slot| slot.is_here()) {
                return Err(format!("agent {id} is already here"));
            }
            let mut slot = Slot::new(image.name, AgentState::Active);
            slot.mailbox = image.mailbox.into();
            slot.console = image.console;
            slot.suspend = image.suspended;
            slot.epoch = image.epoch;
            slots.insert(id.clone(), Box::new(slot));
        }
        if !image.services.is_empty() {
            lock(&self.directory).replace(&id, image.services);
            self.directory_changed(&id);
        }
        if id.home() != self.config.node {
            if let Some(r) = self.router() {
                r.location_changed(&id, image.epoch);
            }
        }
        let runnable = match wait {
            None => Some(agent),
            // A departure that was under way when the checkpoint was taken:
            // the same transfer again.
            Some(Ok(WaitRequest::Depart { kind, dest, script })) => {
                self.depart(agent, kind, dest, script, Some(image.epoch))
            }
            Some(Ok(w)) => self.wait(agent, w),
            Some(Err(why)) => {
                let mut agent = agent;
                let _ = agent.interp.resume(Err(why));
                Some(agent)
            }
        };
        if let Some(agent) = runnable {
            let mut slots = lock(&self.slots);
            if let Some(slot) = slots.get_mut(&id) {
                self.make_runnable(slot, agent);
            }
        }
        Ok(())
    }

    /// `agent_jump`, `agent_fork`, `agent_submit`: builds the transfer,
    /// freezes the agent (checkpointed with its pending request) and hands
    /// the transfer to the router. `epoch`: the transfer's epoch when it is
    /// sent again after a restore (otherwise the agent's epoch is raised).
    pub(super) fn depart(
        &self,
        mut agent: Box<Agent>,
        kind: DepartureKind,
        dest: String,
        script: Option<String>,
        epoch: Option<u64>,
    ) -> Option<Box<Agent>> {
        if dest == self.config.node && kind == DepartureKind::Jump {
            let _ = agent.interp.resume(Ok(String::new()));
            return Some(agent);
        }
        let Some(router) = self.router().filter(|_| dest != self.config.node || kind != DepartureKind::Jump) else {
            let _ = agent.interp.resume(Err(format!("cannot {} to node \"{dest}\": no network", kind.name())));
            return Some(agent);
        };
        let resend = epoch.is_some();
        let departure = {
            let mut slots = lock(&self.slots);
            let Some(slot) = slots.get_mut(&agent.id) else { return Some(agent) };
            slot.epoch = epoch.unwrap_or(slot.epoch + 1);
            let Some(mut image) = self.image(&agent, slot, None) else {
                let _ = agent.interp.resume(Err("cannot take the agent's image".into()));
                return Some(agent);
            };
            image.epoch = slot.epoch;
            let mailbox_sent = match kind {
                DepartureKind::Jump => image.mailbox.len(),
                _ => 0,
            };
            // The frozen agent is checkpointed with its pending request:
            // after a crash the same transfer is sent again.
            if let Some(p) = self.persist.get() {
                p.save(image.clone());
                agent.checkpointed_at = Some(Instant::now());
                agent.dirty = false;
            }
            match kind {
                DepartureKind::Jump => slot.state = AgentState::Transit,
                DepartureKind::Fork => {
                    image.mailbox.clear();
                    image.console.clear();
                }
                DepartureKind::Submit => match self.child_image(&agent, script.unwrap_or_default(), slot.epoch) {
                    Ok(child) => image = child,
                    Err(why) => {
                        let _ = agent.interp.resume(Err(why));
                        return Some(agent);
                    }
                },
            }
            if kind != DepartureKind::Jump {
                slot.state = AgentState::Waiting;
            }
            let epoch = slot.epoch;
            slot.departing = Some(Departing { agent, kind, dest: dest.clone(), epoch, mailbox_sent });
            Departure { kind, dest, image, resend }
        };
        let (id, epoch) = (departure.image.id.clone(), departure.image.epoch);
        if let Err(why) = router.depart(departure) {
            self.departure_done(&id, epoch, DepartureOutcome::Refused(why));
        }
        None
    }

    /// The image of a new agent that runs `script` from the start, with the
    /// parent's root and owner (its id is given on arrival).
    fn child_image(&self, parent: &Agent, script: String, epoch: u64) -> Result<AgentImage, String> {
        let root = parent.interp.global_var("agent(root)").unwrap_or_default();
        let owner = parent.interp.global_var("agent(owner)").unwrap_or_default();
        let mut child = Interp::new();
        // Registered here so the child's command table has them; the
        // destination provides their functions.
        crate::agent_cmds::install(&mut child, std::sync::Weak::new(), &parent.id);
        for (k, v) in [
            ("local", ""),
            ("name", ""),
            ("node", ""),
            ("home", ""),
            ("root", root.as_str()),
            ("owner", owner.as_str()),
        ] {
            child.set_var(&format!("agent({k})"), v)?;
        }
        child.start(&script, None);
        Ok(AgentImage {
            id: parent.id.clone(),
            name: None,
            snapshot: itinerant_tcl::snapshot::save(&child).map_err(|e| e.to_string())?,
            mailbox: Vec::new(),
            suspended: false,
            wake_at_ms: None,
            console: String::new(),
            services: Vec::new(),
            epoch,
        })
    }

    pub(super) fn departure_done(&self, id: &AgentId, epoch: u64, outcome: DepartureOutcome) {
        let mut forward = Vec::new();
        let dest;
        {
            let mut slots = lock(&self.slots);
            let Some(slot) = slots.get_mut(id) else { return };
            if slot.departing.as_ref().is_none_or(|d| d.epoch != epoch) {
                return; // an answer to a transfer already settled
            }
            let Some(departing) = slot.departing.take() else { return };
            let Departing { mut agent, kind, dest: to, mailbox_sent, .. } = departing;
            dest = to;
            match (kind, outcome) {
                (DepartureKind::Jump, DepartureOutcome::Accepted(_)) => {
                    forward = slot.mailbox.drain(..).skip(mailbox_sent).collect();
                    slot.state = AgentState::Moved;
                    slot.moved_to = Some(dest.clone());
                    if let Some(p) = self.persist.get() {
                        p.forget(id);
                    }
                    lock(&self.directory).forget(id);
                    self.notify_done();
                }
                (_, DepartureOutcome::Accepted(new_id)) => {
                    let _ = agent.interp.resume(Ok(new_id.to_string()));
                    agent.dirty = true;
                    self.make_runnable(slot, agent);
                }
                (kind, DepartureOutcome::Refused(why)) => {
                    let _ = agent.interp.resume(Err(format!("cannot {} to node \"{dest}\": {why}", kind.name())));
                    agent.dirty = true;
                    self.make_runnable(slot, agent);
                }
            }
        }
        if let Some(r) = self.router() {
            for m in forward {
                let _ = r.route_to_node(&dest, id, m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;
    use crate::{Message, RuntimeConfig, SendError};

    /// Keeps departures; never answers (the test plays the network).
    #[derive(Default)]
    struct Held(Mutex<Vec<Departure>>);

    impl crate::Router for Held {
        fn route(&self, to: &AgentId, _msg: Message) -> Result<(), SendError> {
            Err(SendError::Unreachable(to.to_string()))
        }

        fn depart(&self, departure: Departure) -> Result<(), String> {
            self.0.lock().unwrap().push(departure);
            Ok(())
        }
    }

    /// The crash test's lost agent: alpha froze an agent in a jump to beta
    /// and restarted before the answer came; beta had accepted, the agent
    /// jumped back to alpha at a later epoch. The arrival must settle the
    /// frozen copy (not be refused as "already here", and not be forgotten
    /// by the late answer to the old jump).
    #[test]
    fn an_agent_coming_back_settles_its_frozen_older_jump() {
        let mut config = RuntimeConfig::for_node("alpha");
        config.workers = 1;
        let rt = Runtime::new(config);
        let router = Arc::new(Held::default());
        rt.set_router(router.clone());
        let id = rt.spawn("agent_jump beta; set where $agent(node)", None).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let departure = loop {
            if let Some(d) = router.0.lock().unwrap().pop() {
                break d;
            }
            assert!(std::time::Instant::now() < deadline, "no departure");
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(rt.state(&id), Some(AgentState::Transit));
        let mut back = departure.image.clone();
        back.epoch = departure.image.epoch + 1;
        // Not overtaken by an arrival at the same or an older epoch.
        assert!(!rt.settle_overtaken_jump(&id, departure.image.epoch));
        assert!(rt.settle_overtaken_jump(&id, back.epoch));
        assert_eq!(rt.state(&id), Some(AgentState::Moved));
        let prepared = rt.prepare_arrival(DepartureKind::Jump, back.clone()).unwrap();
        rt.admit(prepared).unwrap();
        // The late answer to the old jump changes nothing.
        rt.departure_done(&id, departure.image.epoch, DepartureOutcome::Accepted(id.clone()));
        let out = rt.wait(&id, Duration::from_secs(10)).expect("the agent ends here");
        assert_eq!(out.result, Ok("alpha".into()));
    }
}
