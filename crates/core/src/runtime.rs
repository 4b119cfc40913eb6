//! The scheduler: worker threads, the run queue, the agent registry with
//! mailboxes and parked agents, and the timer thread.
//!
//! Locks: `slots` (registry, mailboxes, parked agents) may be held while
//! taking `queue` (to wake an agent), never the other way round. No lock is
//! held while an interpreter runs.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use itinerant_tcl::interp::Output;

use crate::acl::{Acl, AclFilter};
use itinerant_tcl::{Interp, Outcome};

/// How a runtime runs its agents.
#[derive(Clone, Debug)]
pub struct RuntimeConfig {
    /// The node's name: agent ids are `N@node`.
    pub node: String,
    /// Worker threads (agents run on these; default one per core).
    pub workers: usize,
    /// Instructions an agent runs before it yields its worker.
    pub budget: u64,
    /// Messages a mailbox holds before sends to it are refused.
    pub mailbox_limit: usize,
    /// Bytes of console output kept per agent (older output is dropped).
    pub console_limit: usize,
}

impl RuntimeConfig {
    pub fn for_node(node: &str) -> RuntimeConfig {
        RuntimeConfig {
            node: node.to_owned(),
            workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            budget: 10_000,
            mailbox_limit: 10_000,
            console_limit: 64 * 1024,
        }
    }
}

/// An agent's id: unique, carrying its home node (`17@alpha`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgentId(Arc<str>);

impl AgentId {
    pub fn parse(s: &str) -> Option<AgentId> {
        let (n, node) = s.split_once('@')?;
        (n.parse::<u64>().is_ok() && !node.is_empty()).then(|| AgentId(Arc::from(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The node the agent was created on.
    pub fn home(&self) -> &str {
        self.0.split_once('@').map(|(_, h)| h).unwrap_or("")
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgentId({})", self.0)
    }
}

/// A message between agents (`agent_send`): an integer code and a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The sender, `None` from outside the platform.
    pub from: Option<AgentId>,
    pub code: i64,
    pub body: String,
    /// Set for FIPA ACL messages (`acl send`); `body` is then the content.
    pub acl: Option<Box<Acl>>,
}

/// An agent's lifecycle state (FIPA AMS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentState {
    /// Runnable or running.
    Active,
    /// Parked in `agent_receive` or `after`.
    Waiting,
    /// Stopped by `suspend` until `resume`.
    Suspended,
    /// Finished; its outcome is kept.
    Deleted,
}

impl AgentState {
    pub fn name(self) -> &'static str {
        match self {
            AgentState::Active => "active",
            AgentState::Waiting => "waiting",
            AgentState::Suspended => "suspended",
            AgentState::Deleted => "deleted",
        }
    }
}

/// How an agent ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentOutcome {
    /// The script's result, or its errorInfo.
    pub result: Result<String, String>,
}

/// Delivers messages to agents whose home is another node (provided by
/// the node layer, which knows the network; the runtime does not).
pub trait Router: Send + Sync {
    fn route(&self, to: &AgentId, msg: Message) -> Result<(), SendError>;

    /// A local agent's directory entries changed (empty: it left); the
    /// node tells its peers, so that every node can search every agent.
    fn directory_changed(&self, _agent: &AgentId, _services: &[crate::df::Description]) {}
}

/// Why a message was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    NoSuchAgent(String),
    MailboxFull(String),
    /// The agent's node cannot be reached.
    Unreachable(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NoSuchAgent(id) => write!(f, "no agent \"{id}\" on this node"),
            SendError::MailboxFull(id) => write!(f, "mailbox of agent \"{id}\" is full"),
            SendError::Unreachable(why) => write!(f, "cannot deliver: {why}"),
        }
    }
}

impl std::error::Error for SendError {}

/// What a receive takes from the mailbox and how it hands it over.
pub(crate) enum Receiver {
    /// `agent_receive`: any message; code and body into two variables.
    Plain { code_var: String, body_var: String },
    /// `acl receive`: the first ACL message that matches; returned as a dict.
    Acl(AclFilter),
}

impl Receiver {
    /// Index in `mailbox` of the message this receiver takes.
    fn pick(&self, mailbox: &VecDeque<Message>) -> Option<usize> {
        match self {
            Receiver::Plain { .. } => (!mailbox.is_empty()).then_some(0),
            Receiver::Acl(f) => mailbox.iter().position(|m| m.acl.as_deref().is_some_and(|a| f.matches(a))),
        }
    }

    /// Gives `m` to the interpreter and resumes it.
    fn deliver(&self, interp: &mut Interp, m: Message) {
        let r = match self {
            Receiver::Plain { code_var, body_var } => interp
                .set_var(code_var, &m.code.to_string())
                .and_then(|_| interp.set_var(body_var, &m.body))
                .map(|_| m.from.map(|f| f.to_string()).unwrap_or_default()),
            Receiver::Acl(_) => {
                let items: Vec<itinerant_tcl::Value> = m
                    .acl
                    .map(|a| a.to_dict_items())
                    .unwrap_or_default()
                    .into_iter()
                    .map(itinerant_tcl::Value::from)
                    .collect();
                Ok(itinerant_tcl::Value::list(items).as_str().into_owned())
            }
        };
        let _ = interp.resume(r);
    }
}

/// An agent while it exists: its interpreter and identity. It is owned by
/// exactly one place at a time: the run queue, a worker, or its parking spot.
pub(crate) struct Agent {
    pub(crate) id: AgentId,
    pub(crate) interp: Interp,
}

/// An agent spawned but not yet built: its interpreter is made (and its
/// script compiled) by the worker that first runs it, so `spawn` stays cheap
/// and the interpreter's memory is allocated and freed on one thread.
struct Birth {
    id: AgentId,
    script: Box<str>,
    name: Option<Box<str>>,
}

impl Birth {
    fn into_agent(self, s: &Arc<Shared>) -> Box<Agent> {
        let Birth { id, script, name } = self;
        let mut interp = Interp::new();
        interp.set_output(Box::new(Console { shared: Arc::downgrade(s), id: id.clone() }));
        crate::agent_cmds::install(&mut interp, Arc::downgrade(s), &id);
        crate::agent_cmds::set_agent_array(&mut interp, &id, name.as_deref(), &s.config.node);
        interp.start(&script, None);
        Box::new(Agent { id, interp })
    }
}

/// What the run queue holds.
enum Runnable {
    Agent(Box<Agent>),
    Birth(Box<Birth>),
}

/// What a parked agent waits for.
pub(crate) enum Wait {
    /// `agent_receive` into these variables, or `acl receive`.
    Receive(Receiver),
    /// `after`.
    Sleep,
}

struct Parked {
    agent: Box<Agent>,
    wait: Wait,
    /// Distinguishes this parking from later ones (stale timers ignore it).
    generation: u64,
}

/// The registry entry of an agent.
pub(crate) struct Slot {
    pub(crate) name: Option<String>,
    pub(crate) state: AgentState,
    mailbox: VecDeque<Message>,
    parked: Option<Parked>,
    console: String,
    outcome: Option<AgentOutcome>,
    generation: u64,
    /// `suspend` asked: when the agent next becomes runnable it is held in
    /// `held` instead of the run queue.
    suspend: bool,
    /// `kill` asked while the agent was on a worker or in the queue.
    kill: bool,
    /// A suspended agent that would otherwise be runnable.
    held: Option<Box<Agent>>,
}

/// The registry. Slots are boxed: a table with a million entries has two
/// million buckets, so entries stay small. Hashed with ahash (every message
/// and every scheduling step looks an agent up).
pub(crate) type Slots = HashMap<AgentId, Box<Slot>, ahash::RandomState>;

pub(crate) struct Shared {
    pub(crate) config: RuntimeConfig,
    next_id: AtomicU64,
    queue: Mutex<VecDeque<Runnable>>,
    queue_cv: Condvar,
    /// Workers waiting on `queue_cv` (changed and read under `queue`'s
    /// lock): an enqueue wakes one only if there is one to wake.
    idle_workers: AtomicUsize,
    pub(crate) slots: Mutex<Slots>,
    /// The directory facilitator (lock order: after `slots` if both).
    pub(crate) directory: Mutex<crate::df::Directory>,
    /// Where messages for other nodes go.
    router: std::sync::RwLock<Option<Arc<dyn Router>>>,
    done_cv: Condvar,
    /// Callers in `Runtime::wait` (changed and read under `slots`' lock):
    /// an agent's end notifies `done_cv` only if someone waits.
    waiters: AtomicUsize,
    timers: Mutex<BinaryHeap<Reverse<(Instant, u64, AgentId)>>>,
    timer_cv: Condvar,
    shutdown: AtomicBool,
}

/// A running set of agents on worker threads.
pub struct Runtime {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

/// The registry entry of an agent that has not ended.
fn live_slot<'a>(slots: &'a mut Slots, id: &AgentId) -> Result<&'a mut Slot, String> {
    match slots.get_mut(id) {
        Some(s) if s.state != AgentState::Deleted => Ok(s),
        _ => Err(format!("no agent \"{id}\"")),
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock is a bug, but the data stays usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Runtime {
    /// Starts the worker threads and the timer thread.
    pub fn new(config: RuntimeConfig) -> Runtime {
        let workers = config.workers.max(1);
        let shared = Arc::new(Shared {
            config,
            next_id: AtomicU64::new(1),
            queue: Mutex::new(VecDeque::new()),
            queue_cv: Condvar::new(),
            idle_workers: AtomicUsize::new(0),
            waiters: AtomicUsize::new(0),
            slots: Mutex::new(Slots::default()),
            directory: Mutex::new(crate::df::Directory::default()),
            router: std::sync::RwLock::new(None),
            done_cv: Condvar::new(),
            timers: Mutex::new(BinaryHeap::new()),
            timer_cv: Condvar::new(),
            shutdown: AtomicBool::new(false),
        });
        let mut threads = Vec::new();
        for i in 0..workers {
            let s = shared.clone();
            let t = std::thread::Builder::new()
                .name(format!("agent-worker-{i}"))
                .spawn(move || worker_loop(&s))
                .expect("spawn worker thread");
            threads.push(t);
        }
        let s = shared.clone();
        threads.push(
            std::thread::Builder::new()
                .name("agent-timers".into())
                .spawn(move || timer_loop(&s))
                .expect("spawn timer thread"),
        );
        Runtime { shared, threads }
    }

    /// Creates an agent running `script` from the start; returns its id.
    pub fn spawn(&self, script: &str, name: Option<&str>) -> Result<AgentId, String> {
        let s = &self.shared;
        let n = s.next_id.fetch_add(1, Ordering::Relaxed);
        let id = AgentId(Arc::from(format!("{n}@{}", s.config.node)));
        let birth = Box::new(Birth { id: id.clone(), script: script.into(), name: name.map(Box::from) });
        let slot = Slot {
            name: name.map(str::to_owned),
            state: AgentState::Active,
            mailbox: VecDeque::new(),
            parked: None,
            console: String::new(),
            outcome: None,
            generation: 0,
            suspend: false,
            kill: false,
            held: None,
        };
        lock(&s.slots).insert(id.clone(), Box::new(slot));
        s.push_runnable(Runnable::Birth(birth));
        Ok(id)
    }

    /// Sets where messages for agents of other nodes go.
    pub fn set_router(&self, router: Arc<dyn Router>) {
        *self.shared.router.write().unwrap_or_else(|e| e.into_inner()) = Some(router);
    }

    /// Applies a directory update from another node.
    pub fn directory_update(&self, agent: &AgentId, services: Vec<crate::df::Description>) {
        if agent.home() != self.shared.config.node {
            lock(&self.shared.directory).replace(agent, services);
        }
    }

    /// The directory entries of this node's agents (sent to a new peer).
    pub fn local_directory(&self) -> Vec<(AgentId, Vec<crate::df::Description>)> {
        lock(&self.shared.directory).entries_of_node(&self.shared.config.node)
    }

    /// The node this runtime belongs to.
    pub fn node(&self) -> &str {
        &self.shared.config.node
    }

    /// Delivers a message to an agent on this runtime (or, through the
    /// router, on another node).
    pub fn send(&self, to: &AgentId, msg: Message) -> Result<(), SendError> {
        self.shared.send(to, msg)
    }

    /// `send` of a code and text from outside the platform (or from `from`).
    pub fn send_text(&self, to: &AgentId, from: Option<&AgentId>, code: i64, body: &str) -> Result<(), SendError> {
        self.shared.send(to, Message { from: from.cloned(), code, body: body.to_owned(), acl: None })
    }

    /// Waits up to `timeout` for an agent to end; its outcome.
    pub fn wait(&self, id: &AgentId, timeout: Duration) -> Option<AgentOutcome> {
        let deadline = Instant::now() + timeout;
        let mut slots = lock(&self.shared.slots);
        loop {
            match slots.get(id) {
                Some(slot) if slot.outcome.is_some() => return slot.outcome.clone(),
                Some(_) => {}
                None => return None,
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            self.shared.waiters.fetch_add(1, Ordering::Relaxed);
            slots = self
                .shared
                .done_cv
                .wait_timeout(slots, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
            self.shared.waiters.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// An agent's console output so far.
    pub fn console(&self, id: &AgentId) -> Option<String> {
        lock(&self.shared.slots).get(id).map(|s| s.console.clone())
    }

    /// An agent's state.
    pub fn state(&self, id: &AgentId) -> Option<AgentState> {
        lock(&self.shared.slots).get(id).map(|s| s.state)
    }

    /// The id of the agent registered under `name`.
    pub fn lookup(&self, name: &str) -> Option<AgentId> {
        self.shared.lookup(name)
    }

    /// Stops an agent (it keeps its state and mailbox) until `resume`.
    pub fn suspend(&self, id: &AgentId) -> Result<(), String> {
        self.shared.suspend(id)
    }

    /// Lets a suspended agent run again.
    pub fn resume(&self, id: &AgentId) -> Result<(), String> {
        self.shared.resume(id)
    }

    /// Ends an agent; its outcome is the error "killed".
    pub fn kill(&self, id: &AgentId) -> Result<(), String> {
        self.shared.kill(id)
    }

    /// Number of agents that have not ended.
    pub fn live_agents(&self) -> usize {
        lock(&self.shared.slots).values().filter(|s| s.state != AgentState::Deleted).count()
    }

    /// Forgets ended agents (their outcomes and consoles).
    pub fn reap(&self) {
        lock(&self.shared.slots).retain(|_, s| s.state != AgentState::Deleted);
    }

    /// Stops the workers (agents still alive are dropped).
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        self.shared.queue_cv.notify_all();
        self.shared.timer_cv.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        // Break the agents' references before the registry goes away.
        lock(&self.shared.queue).clear();
        lock(&self.shared.slots).clear();
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if !self.threads.is_empty() {
            self.stop();
        }
    }
}

impl Shared {
    fn enqueue(&self, agent: Box<Agent>) {
        self.push_runnable(Runnable::Agent(agent));
    }

    fn push_runnable(&self, r: Runnable) {
        let mut q = lock(&self.queue);
        q.push_back(r);
        // A notify is a system call: skip it when every worker is busy (a
        // worker counts itself idle under this lock before it waits).
        if self.idle_workers.load(Ordering::Relaxed) > 0 {
            self.queue_cv.notify_one();
        }
    }

    /// Wakes callers of `Runtime::wait`, if any (`slots` must be locked).
    fn notify_done(&self) {
        if self.waiters.load(Ordering::Relaxed) > 0 {
            self.done_cv.notify_all();
        }
    }

    /// Makes a woken or preempted agent runnable, unless it was suspended or
    /// killed meanwhile (`slot` is its registry entry, locked by the caller).
    fn make_runnable(&self, slot: &mut Slot, agent: Box<Agent>) {
        if slot.kill {
            slot.state = AgentState::Deleted;
            slot.outcome = Some(AgentOutcome { result: Err("killed".into()) });
            slot.mailbox.clear();
            self.notify_done();
        } else if slot.suspend {
            slot.state = AgentState::Suspended;
            slot.held = Some(agent);
        } else {
            slot.state = AgentState::Active;
            self.enqueue(agent);
        }
    }

    /// The agent if it may run now; otherwise it is held or ended.
    fn check_before_run(&self, agent: Box<Agent>) -> Option<Box<Agent>> {
        let mut slots = lock(&self.slots);
        let slot = slots.get_mut(&agent.id)?;
        if slot.kill || slot.suspend {
            self.make_runnable(slot, agent);
            return None;
        }
        Some(agent)
    }

    /// Gives a preempted agent back: to the queue, or held/killed.
    fn requeue(&self, agent: Box<Agent>) {
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get_mut(&agent.id) {
            self.make_runnable(slot, agent);
        }
    }

    pub(crate) fn suspend(&self, id: &AgentId) -> Result<(), String> {
        let mut slots = lock(&self.slots);
        let slot = live_slot(&mut slots, id)?;
        slot.suspend = true;
        if slot.parked.is_some() {
            slot.state = AgentState::Suspended;
        }
        Ok(())
    }

    pub(crate) fn resume(&self, id: &AgentId) -> Result<(), String> {
        let mut slots = lock(&self.slots);
        let slot = live_slot(&mut slots, id)?;
        slot.suspend = false;
        if let Some(agent) = slot.held.take() {
            slot.state = AgentState::Active;
            self.enqueue(agent);
        } else if slot.parked.is_some() {
            slot.state = AgentState::Waiting;
        }
        Ok(())
    }

    pub(crate) fn kill(&self, id: &AgentId) -> Result<(), String> {
        let mut slots = lock(&self.slots);
        let slot = live_slot(&mut slots, id)?;
        if slot.parked.take().is_some() || slot.held.take().is_some() {
            // It was on no worker: it ends now.
            slot.state = AgentState::Deleted;
            slot.outcome = Some(AgentOutcome { result: Err("killed".into()) });
            slot.mailbox.clear();
            self.notify_done();
        } else {
            // On a worker or in the queue: ends when it gives the worker back.
            slot.kill = true;
        }
        Ok(())
    }

    /// Ids of live agents, optionally only those registered under `name`.
    pub(crate) fn search(&self, name: Option<&str>) -> Vec<AgentId> {
        let slots = lock(&self.slots);
        let mut ids: Vec<AgentId> = slots
            .iter()
            .filter(|(_, s)| s.state != AgentState::Deleted && name.is_none_or(|n| s.name.as_deref() == Some(n)))
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort();
        ids
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<AgentId> {
        if let Some(id) = AgentId::parse(name) {
            return Some(id);
        }
        lock(&self.slots)
            .iter()
            .find(|(_, s)| s.name.as_deref() == Some(name) && s.state != AgentState::Deleted)
            .map(|(id, _)| id.clone())
    }

    /// Tells the router (if any) about a local agent's directory entries.
    pub(crate) fn directory_changed(&self, id: &AgentId) {
        let router = self.router.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(r) = router {
            let services = lock(&self.directory).services_of(id);
            r.directory_changed(id, &services);
        }
    }

    pub(crate) fn send(&self, to: &AgentId, msg: Message) -> Result<(), SendError> {
        if to.home() != self.config.node {
            let router = self.router.read().unwrap_or_else(|e| e.into_inner()).clone();
            return match router {
                Some(r) => r.route(to, msg),
                None => Err(SendError::NoSuchAgent(to.to_string())),
            };
        }
        let mut slots = lock(&self.slots);
        let slot = match slots.get_mut(to) {
            Some(s) if s.state != AgentState::Deleted => s,
            _ => return Err(SendError::NoSuchAgent(to.to_string())),
        };
        if slot.mailbox.len() >= self.config.mailbox_limit {
            return Err(SendError::MailboxFull(to.to_string()));
        }
        slot.mailbox.push_back(msg);
        let wanted = match &slot.parked {
            Some(Parked { wait: Wait::Receive(r), .. }) => r.pick(&slot.mailbox),
            _ => None,
        };
        if let Some(at) = wanted {
            if let (Some(p), Some(m)) = (slot.parked.take(), slot.mailbox.remove(at)) {
                let mut agent = p.agent;
                if let Wait::Receive(r) = &p.wait {
                    r.deliver(&mut agent.interp, m);
                }
                self.make_runnable(slot, agent);
            }
        }
        Ok(())
    }

    /// Parks a sleeping agent (`after`) until its timer fires.
    fn park(&self, agent: Box<Agent>, wait: Wait, timeout: Option<Duration>) {
        let mut slots = lock(&self.slots);
        let Some(slot) = slots.get_mut(&agent.id) else { return };
        if slot.kill {
            self.make_runnable(slot, agent);
            return;
        }
        slot.generation += 1;
        let generation = slot.generation;
        let id = agent.id.clone();
        slot.state = if slot.suspend { AgentState::Suspended } else { AgentState::Waiting };
        slot.parked = Some(Parked { agent, wait, generation });
        drop(slots);
        if let Some(t) = timeout {
            lock(&self.timers).push(Reverse((Instant::now() + t, generation, id)));
            self.timer_cv.notify_one();
        }
    }

    /// A timer fired: wake the agent if it is still parked by that timer's
    /// parking (a receive that timed out returns "").
    fn fire(&self, id: &AgentId, generation: u64) {
        let mut slots = lock(&self.slots);
        let Some(slot) = slots.get_mut(id) else { return };
        if slot.parked.as_ref().is_some_and(|p| p.generation == generation) {
            if let Some(p) = slot.parked.take() {
                let mut agent = p.agent;
                let _ = agent.interp.resume(Ok(String::new()));
                self.make_runnable(slot, agent);
            }
        }
    }

    fn finish(&self, id: &AgentId, result: Result<String, String>) {
        let had = {
            let mut d = lock(&self.directory);
            let had = !d.services_of(id).is_empty();
            d.forget(id);
            had
        };
        if had {
            self.directory_changed(id);
        }
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get_mut(id) {
            slot.state = AgentState::Deleted;
            slot.outcome = Some(AgentOutcome { result });
            slot.mailbox.clear();
        }
        self.notify_done();
    }

    fn write_console(&self, id: &AgentId, text: &str) {
        let limit = self.config.console_limit;
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get_mut(id) {
            slot.console.push_str(text);
            if slot.console.len() > limit {
                let mut cut = slot.console.len() - limit;
                while !slot.console.is_char_boundary(cut) {
                    cut += 1;
                }
                slot.console.drain(..cut);
            }
        }
    }

    /// `agent_receive`: delivers the next message now, or returns "" at once
    /// (non-blocking), or parks the agent. The check and the parking happen
    /// under one lock, so a message sent in between cannot be missed.
    /// Returns the agent when it can go on running.
    fn receive_or_park(
        &self,
        mut agent: Box<Agent>,
        receiver: Receiver,
        nonblocking: bool,
        timeout: Option<Duration>,
    ) -> Option<Box<Agent>> {
        let mut slots = lock(&self.slots);
        let Some(slot) = slots.get_mut(&agent.id) else { return Some(agent) };
        if let Some(m) = receiver.pick(&slot.mailbox).and_then(|at| slot.mailbox.remove(at)) {
            drop(slots);
            receiver.deliver(&mut agent.interp, m);
            return Some(agent);
        }
        if nonblocking || timeout == Some(Duration::ZERO) {
            drop(slots);
            let _ = agent.interp.resume(Ok(String::new()));
            return Some(agent);
        }
        if slot.kill {
            self.make_runnable(slot, agent);
            return None;
        }
        slot.generation += 1;
        let generation = slot.generation;
        let id = agent.id.clone();
        slot.state = if slot.suspend { AgentState::Suspended } else { AgentState::Waiting };
        slot.parked = Some(Parked { agent, wait: Wait::Receive(receiver), generation });
        drop(slots);
        if let Some(t) = timeout {
            lock(&self.timers).push(Reverse((Instant::now() + t, generation, id)));
            self.timer_cv.notify_one();
        }
        None
    }
}

/// Requests served inline before an agent must give its worker back.
const MAX_REQUESTS_PER_SLICE: usize = 64;

fn worker_loop(s: &Arc<Shared>) {
    loop {
        let agent = {
            let mut q = lock(&s.queue);
            loop {
                if s.shutdown.load(Ordering::SeqCst) {
                    return;
                }
                if let Some(a) = q.pop_front() {
                    break a;
                }
                s.idle_workers.fetch_add(1, Ordering::Relaxed);
                q = s
                    .queue_cv
                    .wait_timeout(q, Duration::from_millis(100))
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0);
                s.idle_workers.fetch_sub(1, Ordering::Relaxed);
            }
        };
        let agent = match agent {
            Runnable::Agent(a) => a,
            Runnable::Birth(b) => b.into_agent(s),
        };
        run_slice(s, agent);
    }
}

/// Runs one agent for a budget slice, serving its requests.
fn run_slice(s: &Arc<Shared>, agent: Box<Agent>) {
    // Suspended or killed while waiting in the queue: do not run it.
    let Some(mut agent) = s.check_before_run(agent) else { return };
    for _ in 0..MAX_REQUESTS_PER_SLICE {
        match agent.interp.run(s.config.budget) {
            Outcome::OutOfBudget => {
                s.requeue(agent);
                return;
            }
            Outcome::Finished(r) => {
                agent.interp.flush_output();
                s.finish(&agent.id, Ok(r));
                return;
            }
            Outcome::Exit(_) => {
                s.finish(&agent.id, Ok(String::new()));
                return;
            }
            Outcome::Error(e) => {
                s.finish(&agent.id, Err(e.error_info));
                return;
            }
            Outcome::Request(req) => match req.command.as_str() {
                "agent_receive" => {
                    let arg = |i: usize| req.args.get(i).cloned().unwrap_or_default();
                    let timeout = arg(3).parse::<u64>().ok().map(Duration::from_millis);
                    let receiver = Receiver::Plain { code_var: arg(0), body_var: arg(1) };
                    match s.receive_or_park(agent, receiver, arg(2) == "1", timeout) {
                        Some(a) => agent = a,
                        None => return,
                    }
                }
                "acl_receive" => {
                    // args: performative, conversation-id, sender ("" = any), timeout
                    let opt = |i: usize| req.args.get(i).filter(|a| !a.is_empty()).cloned();
                    let filter = AclFilter { performative: opt(0), conversation_id: opt(1), sender: opt(2) };
                    let timeout = opt(3).and_then(|t| t.parse::<u64>().ok()).map(Duration::from_millis);
                    match s.receive_or_park(agent, Receiver::Acl(filter), false, timeout) {
                        Some(a) => agent = a,
                        None => return,
                    }
                }
                "after" => {
                    let ms = req.args.first().and_then(|a| a.parse::<u64>().ok()).unwrap_or(0);
                    s.park(agent, Wait::Sleep, Some(Duration::from_millis(ms)));
                    return;
                }
                other => {
                    let _ = agent.interp.resume(Err(format!("unknown request \"{other}\"")));
                }
            },
        }
    }
    s.requeue(agent);
}

fn timer_loop(s: &Arc<Shared>) {
    loop {
        let due = {
            let mut timers = lock(&s.timers);
            loop {
                if s.shutdown.load(Ordering::SeqCst) {
                    return;
                }
                let now = Instant::now();
                match timers.peek() {
                    Some(Reverse((at, _, _))) if *at <= now => {
                        let Reverse((_, generation, id)) = timers.pop().expect("peeked");
                        break (id, generation);
                    }
                    Some(Reverse((at, _, _))) => {
                        let wait = (*at - now).min(Duration::from_millis(100));
                        timers =
                            s.timer_cv.wait_timeout(timers, wait).map(|(g, _)| g).unwrap_or_else(|e| e.into_inner().0);
                    }
                    None => {
                        timers = s
                            .timer_cv
                            .wait_timeout(timers, Duration::from_millis(100))
                            .map(|(g, _)| g)
                            .unwrap_or_else(|e| e.into_inner().0);
                    }
                }
            }
        };
        s.fire(&due.0, due.1);
    }
}

/// An agent's `puts` goes to its console in the registry.
struct Console {
    shared: Weak<Shared>,
    id: AgentId,
}

impl Output for Console {
    fn write(&mut self, _channel: &str, text: &str) -> Result<(), String> {
        if let Some(s) = self.shared.upgrade() {
            s.write_console(&self.id, text);
        }
        Ok(())
    }
}
