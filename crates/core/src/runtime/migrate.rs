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
//!
//! A platform-initiated move ([`Runtime::migrate`]: `itin agent migrate`,
//! drain, balancing) takes the same path as a jump, as `DepartureKind::Move`,
//! whatever the agent is doing: one at rest (parked in a receive or
//! `after`, or held suspended) is frozen at once; one queued, running or
//! in `exec` is marked (`Slot::move_to`) and frozen where it next rests
//! (end of its slice, parking, return from exec). Its pending request, if
//! any, is not the move's: the destination serves it again (the receive
//! waits on with the time left), and a refused move puts the agent back
//! where it was, its code none the wiser. The freeze happens under the
//! registry lock, so the transfer waits in `Shared::outbox` until the lock
//! is released (`send_departures`).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::program::Program;
use itinerant_tcl::Interp;

use super::{
    live_slot, lock, wall_clock_ms, Agent, AgentId, AgentImage, AgentState, Parked, Runtime, Shared, Slot, WaitRequest,
};
use crate::ordering::{OrderingState, Sequencer};
use crate::resources::{plan_departure, Carried, Kind, Resource};

/// Why an agent, or a new agent made from it, leaves this node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepartureKind {
    /// The agent itself moves, with its whole state and mailbox.
    Jump,
    /// A copy continues on the destination, as a new agent.
    Fork,
    /// A new agent runs a script built from the parent's procs and vars.
    Submit,
    /// The platform moves the agent (`Runtime::migrate`): like a jump, but
    /// the agent did not ask; it goes on with whatever it was doing.
    Move,
}

impl DepartureKind {
    pub fn name(self) -> &'static str {
        match self {
            DepartureKind::Jump => "jump",
            DepartureKind::Fork => "fork",
            DepartureKind::Submit => "submit",
            DepartureKind::Move => "move",
        }
    }

    pub fn from_name(name: &str) -> Option<DepartureKind> {
        match name {
            "jump" => Some(DepartureKind::Jump),
            "fork" => Some(DepartureKind::Fork),
            "submit" => Some(DepartureKind::Submit),
            "move" => Some(DepartureKind::Move),
            _ => None,
        }
    }

    /// The agent's own request that makes this departure (none for a move).
    fn request(self) -> Option<&'static str> {
        match self {
            DepartureKind::Jump => Some("agent_jump"),
            DepartureKind::Fork => Some("agent_fork"),
            DepartureKind::Submit => Some("agent_submit"),
            DepartureKind::Move => None,
        }
    }

    /// The agent itself leaves (not a copy, not a child).
    pub fn moves_the_agent(self) -> bool {
        matches!(self, DepartureKind::Jump | DepartureKind::Move)
    }
}

/// Where a platform-initiated move of an agent stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveStatus {
    /// Asked, not yet settled (or never asked).
    Pending,
    /// The agent is on that node now.
    Moved(String),
    /// The move did not happen (the agent carries on here).
    Refused(String),
    /// It ended here before it could move.
    Ended,
    /// This node knows no such agent.
    Unknown,
}

/// A node's load as shared with its peers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Load {
    /// Agents that want a worker (queued or running).
    pub runnable: usize,
    /// Agents living here.
    pub agents: usize,
}

/// An agent the platform may move now (none of its own or a platform
/// departure under way).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Movable {
    pub id: AgentId,
    /// Queued or running (not waiting, not suspended).
    pub runnable: bool,
    /// Time since it last arrived here from another node.
    pub since_arrival: Option<Duration>,
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
    /// Bindings whose data is read into `image.carried` just before the
    /// transfer is handed to the router.
    carry: Vec<Resource>,
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
    /// Messages of the mailbox that went with the image (a jump, a move).
    mailbox_sent: usize,
    /// Resources that moved along: deleted here once the agent arrived.
    moved_resources: Vec<Resource>,
    /// A moved agent's timed wait (to wait on with the time left if the
    /// move is refused).
    wake_at_ms: Option<u64>,
    /// When it was frozen (the migration latency's start).
    started: Instant,
}

/// An arriving or recovered agent, restored but not yet running (the node
/// stores it durably first).
pub struct Prepared {
    agent: Box<Agent>,
    image: AgentImage,
    wait: Option<Result<WaitRequest, String>>,
    /// Data of resources carried along, written here on admission.
    carried: Vec<Carried>,
    /// It comes from another node (not from this node's store).
    arrived: bool,
    /// Its parent's count of children, when forked here (`quotas.rs`).
    parent_children: Option<Arc<std::sync::atomic::AtomicUsize>>,
}

impl Prepared {
    pub fn id(&self) -> &AgentId {
        &self.image.id
    }

    /// The image to store: the agent as it will start here. Its snapshot
    /// is taken now, only when asked (a node without a store never pays
    /// for a second snapshot per hop).
    pub fn image_to_store(&self) -> Result<AgentImage, String> {
        let snapshot = self.agent.interp.snapshot()?;
        Ok(AgentImage { snapshot, ..self.image.clone() })
    }
}

impl Runtime {
    /// Restores an agent from `image` as it arrives by `kind` (the
    /// departure's pending request answered, a clone or child given its
    /// own id and identity here), without starting it.
    pub fn prepare_arrival(&self, kind: DepartureKind, image: AgentImage) -> Result<Prepared, String> {
        let s = &self.shared;
        s.refuse_if_draining()?;
        // A child of `agent_submit` is new code; everything else is a
        // running agent's state coming here.
        let entry = match kind {
            DepartureKind::Submit => crate::owner::Entry::Start,
            _ => crate::owner::Entry::Migrate,
        };
        s.check_arrival(image.credential.as_deref(), entry).map_err(|why| format!("agent {}: {why}", image.id))?;
        s.refuse_if_full()?;
        let mut interp =
            s.restore_program(&image.snapshot).map_err(|e| format!("agent {}: bad snapshot: {e}", image.id))?;
        let node = s.config.node.clone();
        let mut image = image;
        image.moving_to = None;
        let parent_children = match kind {
            DepartureKind::Fork | DepartureKind::Submit => s.parent_children(&image.id),
            _ => None,
        };
        let id = match kind {
            DepartureKind::Jump | DepartureKind::Move => image.id.clone(),
            DepartureKind::Fork | DepartureKind::Submit => {
                let id = s.new_id();
                interp.set_agent_field("local", id.as_str())?;
                interp.set_agent_field("home", &node)?;
                interp.set_agent_field("name", "")?;
                image = AgentImage {
                    id: id.clone(),
                    name: None,
                    mailbox: Vec::new(),
                    console: String::new(),
                    services: Vec::new(),
                    epoch: 0,
                    wake_at_ms: None,
                    ordering: OrderingState::default(),
                    ..image
                };
                id
            }
        };
        interp.set_agent_field("node", &node)?;
        // The owner shown is the credential's, not what the agent (or its
        // parent) may have written into its array.
        interp.set_agent_field("owner", image.credential.as_ref().map_or("", |c| c.owner.name.as_str()))?;
        if let Some(request) = kind.request().filter(|_| kind != DepartureKind::Submit) {
            // The jump or fork returns "" where the agent now runs.
            match interp.pending_request() {
                Some(req) if req.command == request => {
                    let _ = interp.resume(Ok(String::new()));
                }
                _ => return Err(format!("agent {id}: the image is not at an {request}")),
            }
        }
        // The interpreter is the agent now (`Prepared::image_to_store`).
        image.snapshot = Vec::new();
        // A moved agent waits on here in the receive or `after` it was in.
        let wait = match kind {
            DepartureKind::Move => {
                interp.pending_request().cloned().map(|req| WaitRequest::parse(req, image.wake_at_ms))
            }
            _ => None,
        };
        let carried = std::mem::take(&mut image.carried);
        let mut prepared = s.prepare(interp, image, wait)?;
        prepared.parent_children = parent_children;
        prepared.arrived = true;
        prepared.agent.rate = super::quotas::Rate::arrived();
        prepared.carried = carried;
        Ok(prepared)
    }

    /// Moves an agent to `dest` from outside (drain, balancing, the CLI),
    /// whatever it is doing; see the module documentation. Returns once the
    /// move is under way; [`Runtime::move_status`] tells how it ended.
    pub fn migrate(&self, id: &AgentId, dest: &str) -> Result<(), String> {
        let s = &self.shared;
        if dest == s.config.node {
            return Err(format!("agent {id} is already on node {dest}"));
        }
        if s.router().is_none() {
            return Err(format!("cannot move agent {id}: no network"));
        }
        {
            let mut slots = lock(&s.slots);
            let slot = live_slot(&mut slots, id)?;
            if slot.departing.is_some() {
                return Err(format!("agent {id} is already leaving"));
            }
            slot.last_move = None;
            let no_image = || format!("cannot move agent {id}: cannot take its image");
            if let Some(Parked { agent, wait, deadline, generation }) = slot.parked.take() {
                if let Err(agent) = s.freeze_for_move(slot, agent, dest.to_owned(), deadline.map(wall_clock_ms), None) {
                    slot.parked = Some(Parked { agent, wait, deadline, generation });
                    return Err(no_image());
                }
            } else if let Some(agent) = slot.held.take() {
                if let Err(agent) = s.freeze_for_move(slot, agent, dest.to_owned(), None, None) {
                    slot.held = Some(agent);
                    return Err(no_image());
                }
            } else {
                // Queued, running or in exec: frozen where it next rests.
                slot.move_to = Some(dest.to_owned());
            }
        }
        s.send_departures();
        Ok(())
    }

    /// How the latest platform-initiated move of `id` stands.
    pub fn move_status(&self, id: &AgentId) -> MoveStatus {
        let slots = lock(&self.shared.slots);
        let Some(slot) = slots.get(id) else { return MoveStatus::Unknown };
        match (slot.state, &slot.last_move) {
            (AgentState::Moved, _) => MoveStatus::Moved(slot.moved_to.clone().unwrap_or_default()),
            (AgentState::Deleted, _) => MoveStatus::Ended,
            (_, Some(Err(why))) => MoveStatus::Refused(why.clone()),
            _ => MoveStatus::Pending,
        }
    }

    /// Agents here and how many want a worker.
    pub fn load(&self) -> Load {
        let slots = lock(&self.shared.slots);
        let mut load = Load::default();
        for slot in slots.values().filter(|s| s.is_here()) {
            load.agents += 1;
            if matches!(slot.state, AgentState::Active | AgentState::Initiated) {
                load.runnable += 1;
            }
        }
        load
    }

    /// The agents the platform may move now, by id.
    pub fn movable(&self) -> Vec<Movable> {
        let slots = lock(&self.shared.slots);
        let mut out: Vec<Movable> = slots
            .iter()
            .filter(|(_, s)| s.is_here() && s.departing.is_none() && s.move_to.is_none() && !s.kill)
            .map(|(id, s)| Movable {
                id: id.clone(),
                runnable: matches!(s.state, AgentState::Active | AgentState::Initiated),
                since_arrival: s.arrived_at.map(|t| t.elapsed()),
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// A draining node refuses new agents: spawns and arrivals.
    pub fn set_draining(&self, draining: bool) {
        self.shared.draining.store(draining, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.shared.draining.load(Ordering::SeqCst)
    }

    /// Starts a prepared agent (after the node stored it): it joins the
    /// run queue.
    pub fn admit(&self, prepared: Prepared) -> Result<(), String> {
        self.shared.admit(prepared, false).map(drop)
    }

    /// Starts an arrived agent with a first, short slice on the calling
    /// thread (the network reader that received it), which is awake
    /// already: a worker asleep would take microseconds to wake, and an
    /// agent on a tour often only looks around and jumps on. Nothing in
    /// the slice blocks: a departure that would (a durable write, files
    /// carried along) goes to a worker, as does the rest of a long run.
    pub fn admit_and_run(&self, prepared: Prepared) -> Result<(), String> {
        if let Some(agent) = self.shared.admit(prepared, true)? {
            super::threads::run_slice(&self.shared, agent, super::threads::Place::Arrival);
        }
        Ok(())
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
        self.shared.settle_overtaken_jump(id, epoch)
    }

    /// The agents on this node with their epochs (a cluster directory
    /// writes their locations again after it reconnects).
    pub fn local_epochs(&self) -> Vec<(AgentId, u64)> {
        lock(&self.shared.slots).iter().filter(|(_, s)| s.is_here()).map(|(id, s)| (id.clone(), s.epoch)).collect()
    }

    /// The DF entries of the agents on this node (whatever their home).
    pub fn services_here(&self) -> Vec<(AgentId, Vec<crate::df::Description>)> {
        let here = self.local_epochs();
        let directory = lock(&self.shared.directory);
        here.into_iter()
            .map(|(id, _)| {
                let services = directory.services_of(&id);
                (id, services)
            })
            .filter(|(_, services)| !services.is_empty())
            .collect()
    }

    /// The home node learns where one of its agents now is.
    pub fn location_update(&self, id: &AgentId, node: &str, epoch: u64) {
        let s = &self.shared;
        let mut slots = lock(&s.slots);
        let slot = slots.insert_if_absent(id, || Box::new(Slot::new(None, AgentState::Moved)));
        if slot.state == AgentState::Moved && epoch >= slot.epoch {
            slot.epoch = epoch;
            slot.moved_to = (node != s.config.node).then(|| node.to_owned());
        }
    }
}

impl Shared {
    /// Tells the router (if any) that agent `id` is here at `epoch`.
    pub(crate) fn agent_here(&self, id: &AgentId, epoch: u64) {
        if let Some(r) = self.router() {
            r.agent_here(id, epoch);
        }
    }

    fn new_id(&self) -> AgentId {
        let n = self.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.reserve_id(n);
        AgentId(Arc::from(format!("{n}@{}", self.config.node)))
    }

    /// Turns a restored interpreter into an agent not yet running; `wait`
    /// is what it waits on (from its pending request) for a recovery.
    pub(super) fn prepare(
        self: &Arc<Self>,
        mut interp: Box<dyn Program>,
        image: AgentImage,
        wait: Option<Result<WaitRequest, String>>,
    ) -> Result<Prepared, String> {
        self.attach(&mut *interp, &image.id, image.credential.as_deref());
        if image.id.home() == self.config.node {
            if let Some(n) = image.id.as_str().split_once('@').and_then(|(n, _)| n.parse::<u64>().ok()) {
                self.next_id.fetch_max(n + 1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let mut agent = Agent::new(image.id.clone(), interp);
        agent.checkpointed_at = Some(Instant::now());
        agent.dirty = false;
        Ok(Prepared { agent, image, wait, carried: Vec::new(), arrived: false, parent_children: None })
    }

    /// See `Runtime::settle_overtaken_jump` (a jump or a platform move).
    fn settle_overtaken_jump(&self, id: &AgentId, epoch: u64) -> bool {
        let frozen = lock(&self.slots)
            .get(id)
            .and_then(|slot| slot.departing.as_ref())
            .filter(|d| d.kind.moves_the_agent() && d.epoch < epoch)
            .map(|d| d.epoch);
        match frozen {
            Some(frozen) => {
                self.departure_done(id, frozen, DepartureOutcome::Accepted(id.clone()));
                true
            }
            None => false,
        }
    }

    pub(super) fn refuse_if_draining(&self) -> Result<(), String> {
        match self.draining.load(Ordering::SeqCst) {
            true => {
                Err(self.refusing(crate::observe::Refusal::Draining, format!("node {} is draining", self.config.node)))
            }
            false => Ok(()),
        }
    }

    /// Registers a prepared agent and lets it carry on: runnable, it
    /// joins the run queue, or is given back when `take` (to run now).
    pub(super) fn admit(&self, prepared: Prepared, take: bool) -> Result<Option<Box<Agent>>, String> {
        let Prepared { agent, image, wait, carried, arrived, parent_children } = prepared;
        let id = image.id.clone();
        // Back here at a later epoch before the answer to its jump from
        // here came (a tour of three nodes can outrun that answer).
        self.settle_overtaken_jump(&id, image.epoch);
        self.unpack(&id, carried);
        let endpoints;
        {
            let mut slots = lock(&self.slots);
            if slots.get(&id).is_some_and(|slot| slot.is_here()) {
                return Err(format!("agent {id} is already here"));
            }
            let mut slot = Slot::new(image.name, AgentState::Active);
            slot.language = agent.interp.language();
            slot.mailbox = image.mailbox.into();
            slot.console = image.console;
            slot.suspend = image.suspended;
            slot.epoch = image.epoch;
            slot.resources = image.resources;
            slot.credential = image.credential;
            slot.arrived_at = arrived.then(Instant::now);
            slot.itinerary = image.itinerary;
            self.arrived_here(&mut slot, arrived);
            slot.parent_children = parent_children;
            self.restore_ordering(&id, &mut slot, image.ordering);
            endpoints = slot.resources.iter().filter(|r| r.kind == Kind::Endpoint).cloned().collect::<Vec<_>>();
            slots.insert(id.clone(), Box::new(slot));
        }
        self.open_endpoints(&id, &endpoints);
        if !image.services.is_empty() {
            lock(&self.directory).replace(&id, image.services);
            self.directory_changed(&id);
        }
        if id.home() != self.config.node {
            if let Some(r) = self.router() {
                r.location_changed(&id, image.epoch);
            }
        }
        self.agent_here(&id, image.epoch);
        let mut agent = agent;
        if let Some(dest) = image.moving_to {
            // A move that was under way when the checkpoint was taken: the
            // same transfer again.
            let mut slots = lock(&self.slots);
            let Some(slot) = slots.get_mut(&id) else { return Ok(None) };
            match self.freeze_for_move(slot, agent, dest, image.wake_at_ms, Some(image.epoch)) {
                Ok(()) => {
                    drop(slots);
                    self.send_departures();
                    return Ok(None);
                }
                Err(back) => agent = back,
            }
        }
        Ok(self.carry_on(agent, wait, image.epoch, take))
    }

    /// Lets an agent go on from where it stands: waiting again in the
    /// receive or `after` of its pending request (`wait`), or runnable (held
    /// if suspended). A departure under way when its checkpoint was taken
    /// is sent again at `epoch`. A runnable agent is given back when
    /// `take`, otherwise queued.
    fn carry_on(
        &self,
        mut agent: Box<Agent>,
        wait: Option<Result<WaitRequest, String>>,
        epoch: u64,
        take: bool,
    ) -> Option<Box<Agent>> {
        let id = agent.id.clone();
        let runnable = match wait {
            None => Some(agent),
            Some(Ok(WaitRequest::Depart { kind, dest, script })) => self.depart(agent, kind, dest, script, Some(epoch)),
            Some(Ok(w)) => self.wait(agent, w),
            Some(Err(why)) => {
                let _ = agent.interp.resume(Err(why));
                Some(agent)
            }
        };
        let agent = runnable?;
        let mut slots = lock(&self.slots);
        let slot = slots.get_mut(&id)?;
        match take {
            true => self.ready(slot, agent),
            false => {
                self.make_runnable(slot, agent);
                None
            }
        }
    }

    /// `agent_jump`, `agent_fork`, `agent_submit`: builds the transfer,
    /// freezes the agent (`freeze`) and hands the transfer to the router.
    /// `epoch`: the transfer's epoch when it is sent again after a restore
    /// (otherwise the agent's epoch is raised).
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
        let mut departure = {
            let mut slots = lock(&self.slots);
            let Some(slot) = slots.get_mut(&agent.id) else { return Some(agent) };
            let forks = matches!(kind, DepartureKind::Fork | DepartureKind::Submit);
            if forks {
                if let Err(why) = self.reserve_child(&agent.id, slot) {
                    let _ = agent.interp.resume(Err(why));
                    return Some(agent);
                }
            }
            match self.freeze(slot, agent, kind, dest, script, epoch, None) {
                Ok(departure) => departure,
                Err(agent) => {
                    if forks {
                        self.child_settled(slot, false);
                    }
                    return Some(agent);
                }
            }
        };
        let (id, epoch) = (departure.image.id.clone(), departure.image.epoch);
        if let Err(why) = self.load_carried(&mut departure).and_then(|()| router.depart(departure)) {
            self.departure_done(&id, epoch, DepartureOutcome::Refused(why));
        }
        None
    }

    /// Would the agent's departure wait on a durable write (this node
    /// keeps its agents: the frozen image is flushed before the transfer
    /// leaves) or read files (bindings that go along)?
    pub(super) fn departure_may_block(&self, id: &AgentId) -> bool {
        self.persist.get().is_some() || lock(&self.slots).get(id).is_some_and(|slot| !slot.resources.is_empty())
    }

    /// Reads the data of the bindings that go along with a departure
    /// (outside the registry lock: files and the store may be slow).
    fn load_carried(&self, departure: &mut Departure) -> Result<(), String> {
        let carry = std::mem::take(&mut departure.carry);
        if !carry.is_empty() {
            departure.image.carried = self.read_carried(&carry)?;
        }
        Ok(())
    }

    /// A platform-initiated move of the agent of `slot` (locked by the
    /// caller): frozen now, its transfer queued in the outbox for
    /// `send_departures`. `wake_at_ms`: its timed wait, if parked on one.
    /// The agent back if it cannot be frozen (it carries on unchanged).
    pub(super) fn freeze_for_move(
        &self,
        slot: &mut Slot,
        agent: Box<Agent>,
        dest: String,
        wake_at_ms: Option<u64>,
        epoch: Option<u64>,
    ) -> Result<(), Box<Agent>> {
        match self.freeze(slot, agent, DepartureKind::Move, dest, None, epoch, wake_at_ms) {
            Ok(departure) => {
                lock(&self.outbox).push(departure);
                // The timer thread sends it if nobody else does first.
                self.timer_cv.notify_one();
                Ok(())
            }
            Err(agent) => {
                slot.last_move = Some(Err("cannot take the agent's image".into()));
                Err(agent)
            }
        }
    }

    /// Hands the transfers frozen under the registry lock to the router.
    pub(super) fn send_departures(&self) {
        let departures = std::mem::take(&mut *lock(&self.outbox));
        if departures.is_empty() {
            return;
        }
        let router = self.router();
        for mut departure in departures {
            let (id, epoch) = (departure.image.id.clone(), departure.image.epoch);
            let sent = match &router {
                Some(r) => self.load_carried(&mut departure).and_then(|()| r.depart(departure)),
                None => Err("no network".into()),
            };
            if let Err(why) = sent {
                self.departure_done(&id, epoch, DepartureOutcome::Refused(why));
            }
        }
    }

    /// Freezes `agent` for a departure (the registry is locked by the
    /// caller; `slot` is its entry): raises its epoch, takes its image and
    /// checkpoints it with its pending request (and, for a move, where it
    /// goes), so that after a crash the same transfer is sent again. The
    /// agent back if it cannot leave (for its own departures, with the
    /// error already given to its request).
    #[allow(clippy::too_many_arguments)]
    fn freeze(
        &self,
        slot: &mut Slot,
        mut agent: Box<Agent>,
        kind: DepartureKind,
        dest: String,
        script: Option<String>,
        epoch: Option<u64>,
        wake_at_ms: Option<u64>,
    ) -> Result<Departure, Box<Agent>> {
        // A given epoch: the transfer is sent again (a restore).
        let resend = epoch.is_some();
        let epoch = epoch.unwrap_or(slot.epoch + 1);
        let Some(mut image) = self.image(&agent, slot, None) else {
            if kind != DepartureKind::Move {
                let _ = agent.interp.resume(Err("cannot take the agent's image".into()));
            }
            return Err(agent);
        };
        slot.epoch = epoch;
        image.epoch = epoch;
        image.wake_at_ms = wake_at_ms;
        let mailbox_sent = if kind.moves_the_agent() { image.mailbox.len() } else { 0 };
        if let Some(p) = self.persist.get() {
            let mut checkpoint = image.clone();
            if kind == DepartureKind::Move {
                checkpoint.moving_to = Some(dest.clone());
            }
            p.save(checkpoint);
            agent.checkpointed_at = Some(Instant::now());
            agent.dirty = false;
        }
        match kind {
            DepartureKind::Jump | DepartureKind::Move => slot.state = AgentState::Transit,
            DepartureKind::Fork => {
                image.mailbox.clear();
                image.console.clear();
                image.ordering = OrderingState::default();
            }
            DepartureKind::Submit => match self.child_image(&agent, script.unwrap_or_default(), epoch) {
                // The child belongs to the parent's owner.
                Ok(child) => image = AgentImage { credential: image.credential, ..child },
                Err(why) => {
                    let _ = agent.interp.resume(Err(why));
                    return Err(agent);
                }
            },
        }
        if !kind.moves_the_agent() {
            slot.state = AgentState::Waiting;
        }
        // The bindings as they will be there; the data that goes along is
        // read later, outside the registry lock.
        let plan = match kind {
            DepartureKind::Submit => Default::default(),
            _ => plan_departure(&slot.resources, &self.config.node, &dest, kind == DepartureKind::Fork),
        };
        if kind != DepartureKind::Submit {
            image.resources = plan.arrived;
        }
        let moved_resources = if kind.moves_the_agent() { plan.delete_after } else { Vec::new() };
        slot.departing = Some(Box::new(Departing {
            agent,
            kind,
            dest: dest.clone(),
            epoch,
            mailbox_sent,
            wake_at_ms,
            moved_resources,
            started: Instant::now(),
        }));
        Ok(Departure { kind, dest, image, resend, carry: plan.carry })
    }

    /// The image of a new agent that runs `script` from the start, with the
    /// parent's root and owner (its id is given on arrival).
    fn child_image(&self, parent: &Agent, script: String, epoch: u64) -> Result<AgentImage, String> {
        let root = parent.interp.agent_field("root").unwrap_or_default();
        let owner = parent.interp.agent_field("owner").unwrap_or_default();
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
        let snapshot = itinerant_tcl::snapshot::save(&child).map_err(|e| e.to_string())?;
        Ok(AgentImage::fresh(parent.id.clone(), snapshot, epoch))
    }

    pub(super) fn departure_done(&self, id: &AgentId, epoch: u64, outcome: DepartureOutcome) {
        let mut forward = Vec::new();
        let mut moved_resources = Vec::new();
        let mut stays = None;
        let dest;
        {
            let mut slots = lock(&self.slots);
            let Some(slot) = slots.get_mut(id) else { return };
            if slot.departing.as_ref().is_none_or(|d| d.epoch != epoch) {
                return; // an answer to a transfer already settled
            }
            let Some(departing) = slot.departing.take() else { return };
            let Departing {
                mut agent, kind, dest: to, mailbox_sent, wake_at_ms, moved_resources: moved, started, ..
            } = *departing;
            dest = to;
            if matches!(kind, DepartureKind::Fork | DepartureKind::Submit) {
                let stays_here = dest == self.config.node && matches!(outcome, DepartureOutcome::Accepted(_));
                self.child_settled(slot, stays_here);
            }
            match (kind, outcome) {
                (DepartureKind::Jump | DepartureKind::Move, DepartureOutcome::Accepted(_)) => {
                    // What came after the image (the image has the held-back
                    // messages too: repeats are dropped there).
                    self.migrated_out(started);
                    forward = slot.mailbox.drain(..).skip(mailbox_sent).collect();
                    let held = std::mem::take(&mut slot.reorder).state().into_iter().flat_map(|s| s.held);
                    forward.extend(held);
                    slot.sequencer = Sequencer::default();
                    moved_resources = moved;
                    slot.resources.clear();
                    slot.state = AgentState::Moved;
                    slot.leave_parent();
                    slot.moved_to = Some(dest.clone());
                    slot.move_to = None;
                    if kind == DepartureKind::Move {
                        slot.last_move = Some(Ok(dest.clone()));
                    }
                    if let Some(p) = self.persist.get() {
                        p.forget(id);
                    }
                    lock(&self.directory).forget(id);
                    self.notify_done();
                }
                (DepartureKind::Move, DepartureOutcome::Refused(why)) => {
                    // Not its request: nothing to answer; it goes on below.
                    slot.last_move = Some(Err(why));
                    agent.dirty = true;
                    let wait = agent.interp.pending_request().cloned().map(|req| WaitRequest::parse(req, wake_at_ms));
                    stays = Some((agent, wait, slot.epoch));
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
        self.remove_moved(id, &moved_resources);
        if let Some((agent, wait, epoch)) = stays {
            self.carry_on(agent, wait, epoch, false);
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

    /// Keeps departures and the threads they left from; never answers
    /// (the test plays the network).
    #[derive(Default)]
    struct Held(Mutex<Vec<Departure>>, Mutex<Vec<std::thread::ThreadId>>);

    impl crate::Router for Held {
        fn route(&self, to: &AgentId, _msg: Message) -> Result<(), SendError> {
            Err(SendError::Unreachable(to.to_string()))
        }

        fn depart(&self, departure: Departure) -> Result<(), String> {
            self.0.lock().unwrap().push(departure);
            self.1.lock().unwrap().push(std::thread::current().id());
            Ok(())
        }
    }

    /// Waits for the next departure `router` is given.
    fn next_departure(router: &Held) -> Departure {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(d) = router.0.lock().unwrap().pop() {
                return d;
            }
            assert!(std::time::Instant::now() < deadline, "no departure");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// A runtime for `node` with one worker and a router that keeps
    /// departures.
    fn node(name: &str) -> (Runtime, Arc<Held>) {
        let mut config = RuntimeConfig::for_node(name);
        config.workers = 1;
        let rt = Runtime::new(config);
        let router = Arc::new(Held::default());
        rt.set_router(router.clone());
        (rt, router)
    }

    /// Keeps nothing (the runtime only needs to know it has a store).
    struct Forgets;

    impl crate::Persist for Forgets {
        fn save(&self, _image: AgentImage) {}
        fn forget(&self, _id: &AgentId) {}
        fn reserve_ids(&self, _upto: u64) {}
        fn flush(&self) {}
    }

    /// An arriving agent's first slice runs on the thread that admits it:
    /// a tour's next jump leaves from there. With a store, the departure
    /// (which waits for a durable flush) is a worker's, and still leaves.
    #[test]
    fn an_arrival_runs_its_first_slice_on_the_admitting_thread() {
        let (alpha, to_beta) = node("alpha");
        let id = alpha.spawn("agent_jump beta; agent_jump gamma; set where $agent(node)", None).unwrap();
        let image = next_departure(&to_beta).image;

        let here = std::thread::current().id();

        let (beta, to_gamma) = node("beta");
        beta.admit_and_run(beta.prepare_arrival(DepartureKind::Jump, image.clone()).unwrap()).unwrap();
        let left = next_departure(&to_gamma);
        assert_eq!((left.dest.as_str(), &left.image.id), ("gamma", &id));
        assert_eq!(to_gamma.1.lock().unwrap()[..], [here], "left from the admitting thread");

        let (stored, to_gamma) = node("beta");
        stored.set_persist(Arc::new(Forgets));
        stored.admit_and_run(stored.prepare_arrival(DepartureKind::Jump, image).unwrap()).unwrap();
        let left = next_departure(&to_gamma);
        assert_eq!((left.dest.as_str(), &left.image.id), ("gamma", &id));
        assert_ne!(to_gamma.1.lock().unwrap()[0], here, "left from a worker");
    }

    /// A jump from inside a proc: the arrival updates the global `agent`
    /// array, not a local array of the proc the agent stands in, so
    /// `$::agent(node)` names the new node and the proc may still declare
    /// `global agent`.
    #[test]
    fn an_arrival_inside_a_proc_sets_the_global_agent_array() {
        let (alpha, to_beta) = node("alpha");
        let script = "proc go {} { agent_jump beta; global agent; return \"$::agent(node) $agent(node)\" }; go";
        let id = alpha.spawn(script, None).unwrap();
        let image = next_departure(&to_beta).image;
        let (beta, _) = node("beta");
        beta.admit(beta.prepare_arrival(DepartureKind::Jump, image).unwrap()).unwrap();
        let out = beta.wait(&id, Duration::from_secs(10)).expect("the agent ends on beta");
        assert_eq!(out.result, Ok("beta beta".into()));
    }

    /// The crash test's lost agent: alpha froze an agent in a jump to beta
    /// and restarted before the answer came; beta had accepted, the agent
    /// jumped back to alpha at a later epoch. The arrival must settle the
    /// frozen copy (not be refused as "already here", and not be forgotten
    /// by the late answer to the old jump).
    #[test]
    fn an_agent_coming_back_settles_its_frozen_older_jump() {
        let (rt, router) = node("alpha");
        let id = rt.spawn("agent_jump beta; set where $agent(node)", None).unwrap();
        let departure = next_departure(&router);
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
