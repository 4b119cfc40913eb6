//! The scheduler: worker threads, the run queue, the agent registry with
//! mailboxes and parked agents, and the timer thread.
//!
//! Locks: `slots` (registry, mailboxes, parked agents) may be held while
//! taking `queue` (to wake an agent), never the other way round. No lock is
//! held while an interpreter runs.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::acl::{Acl, AclFilter};
use crate::checkpoint::{AgentImage, Persist, PARK_CHECKPOINT_GAP};
use crate::library::{Library, Requirement};
use crate::ordering::{Reorder, Sequencer};
use crate::program::{AgentHost, Program, ProgramFactory};
use itinerant_tcl::{HostRequest, Interp, Outcome};

mod delivery;
mod directory;
mod library;
mod migrate;
mod object_call;
mod observe;
mod owners;
mod programs;
mod quotas;
mod registry;
mod resource_io;
mod threads;
pub use migrate::{Departure, DepartureKind, DepartureOutcome, Load, Movable, MoveStatus, Prepared};
pub use observe::AgentView;
pub(crate) use resource_io::parse_port;
pub use resource_io::{Endpoints, KeyValue, MemoryKeyValue};
pub(crate) use threads::Console;
use threads::{blocking_loop, timer_loop, worker_loop, BlockingJob};

/// How a runtime runs its agents.
#[derive(Clone, Debug)]
pub struct RuntimeConfig {
    /// The node's name: agent ids are `N@node`.
    pub node: String,
    /// Worker threads (agents run on these; default one per core).
    pub workers: usize,
    /// Instructions an agent runs before it yields its worker.
    pub budget: u64,
    /// What each agent may take of the node, and how many agents it
    /// holds (`quota.rs`); per agent through `Shared::quotas_of` (narrowed by the owner's grant).
    pub quotas: crate::quota::Quotas,
    /// Bytes of console output kept per agent (older output is dropped).
    pub console_limit: usize,
    /// Ended agents whose outcome and console are kept (for `wait`, the
    /// CLI); older ones are forgotten, so a long-running node stays bounded.
    pub ended_kept: usize,
    /// With persistence: a running agent is checkpointed at a slice
    /// boundary when its last checkpoint is older than this.
    pub checkpoint_interval: Duration,
    /// Programs agents may `exec` (names or paths; `*`: any; none: no exec).
    pub exec_allow: Vec<String>,
    /// Longest an `exec` may run before its program is killed.
    pub exec_timeout: Duration,
    /// Threads of the blocking pool (`exec`): that many agents can block
    /// in a system call at once without holding a worker.
    pub blocking_threads: usize,
    /// The directory agents' files live in (`resource file`); none: agents
    /// have no files on this node.
    pub sandbox: Option<std::path::PathBuf>,
}

impl RuntimeConfig {
    pub fn for_node(node: &str) -> RuntimeConfig {
        RuntimeConfig {
            node: node.to_owned(),
            workers: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            budget: 10_000,
            quotas: crate::quota::Quotas::default(),
            console_limit: 64 * 1024,
            ended_kept: 10_000,
            checkpoint_interval: Duration::from_secs(5),
            exec_allow: Vec::new(),
            exec_timeout: Duration::from_secs(60),
            blocking_threads: 8,
            sandbox: None,
        }
    }
}

/// An agent's id: unique, carrying its home node (`17@alpha`).
#[derive(Clone, Eq, PartialOrd, Ord)]
pub struct AgentId(Arc<str>);

impl std::hash::Hash for AgentId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // The string's hash, as `eq` compares strings.
        self.0.hash(state)
    }
}

impl PartialEq for AgentId {
    fn eq(&self, other: &AgentId) -> bool {
        // Ids are mostly clones of one another: the pointer answers first.
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

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
    /// Times it was passed from node to node (bounded, so a stale
    /// forwarding pointer cannot make it circle).
    pub hops: u8,
    /// Its number in the stream from its sending agent to its receiver
    /// (`ordering.rs`); none when no agent sent it.
    pub seq: Option<u64>,
}

/// An agent's lifecycle state (FIPA AMS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentState {
    /// Created, not yet run.
    Initiated,
    /// Runnable or running.
    Active,
    /// Parked in `agent_receive` or `after`.
    Waiting,
    /// Stopped by `suspend` until `resume`.
    Suspended,
    /// Leaving for another node (frozen until the destination answers).
    Transit,
    /// Gone to another node (a forwarding pointer is kept).
    Moved,
    /// Finished; its outcome is kept.
    Deleted,
}

impl AgentState {
    pub fn name(self) -> &'static str {
        match self {
            AgentState::Initiated => "initiated",
            AgentState::Active => "active",
            AgentState::Waiting => "waiting",
            AgentState::Suspended => "suspended",
            AgentState::Transit => "transit",
            AgentState::Moved => "moved",
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

    /// Delivers to an agent that is (or was last seen) on `node`.
    fn route_to_node(&self, node: &str, to: &AgentId, msg: Message) -> Result<(), SendError> {
        let _ = node;
        self.route(to, msg)
    }

    /// Starts the handoff of a departure; the outcome comes back through
    /// `Runtime::departure_done`. An error: it could not even be sent (the
    /// agent stays here).
    fn depart(&self, departure: Departure) -> Result<(), String> {
        Err(format!("node {} cannot send agents", departure.dest))
    }

    /// An agent whose home is another node arrived here at `epoch`.
    fn location_changed(&self, _agent: &AgentId, _epoch: u64) {}

    /// An agent of any home is now here at `epoch` (born, arrived,
    /// resumed), for a cluster directory. Must not block.
    fn agent_here(&self, _agent: &AgentId, _epoch: u64) {}

    /// An agent ended here. Must not block (the registry is locked).
    fn agent_ended(&self, _agent: &AgentId) {}

    /// Sends an ACL message from local agent `from` to a foreign platform
    /// (its receiver is `{NAME http://...}`: the FIPA HTTP MTP of the node).
    /// Must not block.
    fn send_foreign(&self, from: &AgentId, acl: &crate::acl::Acl) -> Result<(), String> {
        let _ = (from, acl);
        Err("this node has no FIPA HTTP transport".into())
    }

    /// Runs a resource operation on `node` (a global reference) and waits
    /// for its answer, within a timeout. Called on the blocking pool.
    fn resource_call(&self, node: &str, _op: Vec<String>) -> Result<String, String> {
        Err(format!("node {node} cannot be reached for resources"))
    }

    /// The same without an answer (console output bound to another node).
    fn resource_post(&self, _node: &str, _op: Vec<String>) {}

    /// Code on demand: the library this node has (published here or
    /// cached) that best meets `req`, if any.
    fn find_library(&self, _name: &str, _req: &Requirement) -> Option<Library> {
        None
    }

    /// The versions of library `name` this node has.
    fn library_versions(&self, _name: &str) -> Vec<String> {
        Vec::new()
    }

    /// Asks other nodes for a library this node lacks, for the agent
    /// parked with `ticket`; the answer (found or not) comes back through
    /// `Runtime::library_fetched`. An error: no node could be asked.
    fn fetch_library(&self, _agent: &AgentId, _ticket: u64, _name: &str, _req: &Requirement) -> Result<(), String> {
        Err("no other node to ask".into())
    }

    /// `object call`: calls method `words[1]` with arguments `words[2..]`
    /// of the object `words[0]` (a reference) for the agent parked with
    /// `ticket`; the outcome comes back through `Runtime::object_answered`.
    /// An error: the call could not be made.
    fn object_call(
        &self,
        _agent: &AgentId,
        _ticket: u64,
        _words: Vec<String>,
        _timeout: Duration,
    ) -> Result<(), String> {
        Err("this node has no object server".into())
    }
}

/// Why a message was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    NoSuchAgent(String),
    MailboxFull(String),
    /// The agent's node cannot be reached.
    Unreachable(String),
    /// Past a quota of the sender or the receiver (the reason).
    Quota(String),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NoSuchAgent(id) => write!(f, "no agent \"{id}\" on this node"),
            SendError::MailboxFull(id) => write!(f, "mailbox of agent \"{id}\" is full"),
            SendError::Unreachable(why) => write!(f, "cannot deliver: {why}"),
            SendError::Quota(why) => write!(f, "{why}"),
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

    /// Gives `m` to the program and resumes it.
    fn deliver(&self, interp: &mut Box<dyn Program>, m: Message) {
        let r = match self {
            Receiver::Plain { code_var, body_var } => return interp.deliver_message(code_var, body_var, m),
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

/// `agent_receive`'s hand-over: code and body into the two variables; the
/// sender's id (empty from outside the platform) is the command's result.
pub(crate) fn deliver_plain(interp: &mut Interp, code_var: &str, body_var: &str, m: Message) -> Result<String, String> {
    interp.set_var_to(code_var, itinerant_tcl::Value::from(m.code))?;
    interp.set_var_to(body_var, itinerant_tcl::Value::from(m.body))?;
    Ok(m.from.map(|f| f.to_string()).unwrap_or_default())
}

/// An agent while it exists: its interpreter and identity. It is owned by
/// exactly one place at a time: the run queue, a worker, or its parking spot.
pub(crate) struct Agent {
    pub(crate) id: AgentId,
    pub(crate) interp: Box<dyn Program>,
    /// When the last checkpoint was taken (with persistence only).
    checkpointed_at: Option<Instant>,
    /// Has it run since its last checkpoint?
    dirty: bool,
    /// Its instruction rate against its quota.
    rate: quotas::Rate,
}

impl Agent {
    fn new(id: AgentId, interp: Box<dyn Program>) -> Box<Agent> {
        Box::new(Agent { id, interp, checkpointed_at: None, dirty: true, rate: quotas::Rate::default() })
    }
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
        interp.set_output(Box::new(Console::new(s, &id)));
        crate::agent_cmds::install(&mut interp, Arc::downgrade(s), &id);
        crate::agent_cmds::set_agent_array(&mut interp, &id, name.as_deref(), &s.config.node);
        // Measured before the script is compiled (a fresh interpreter is a
        // cheap walk); its code is counted at the next one.
        interp.set_memory_limit(Some(s.config.quotas.memory_bytes));
        interp.start(&script, None);
        Agent::new(id, Box::new(interp))
    }
}

/// What the run queue holds.
enum Runnable {
    Agent(Box<Agent>),
    Birth(Box<Birth>),
    /// An agent whose departure may block (a durable write, files read):
    /// handed from a network thread to a worker, which serves it.
    Departing(Box<(Box<Agent>, WaitRequest)>),
}

/// What a parked agent waits for.
pub(crate) enum Wait {
    /// `agent_receive` into these variables, or `acl receive`.
    Receive(Receiver),
    /// `after`.
    Sleep,
    /// `package require` of a library being fetched from other nodes;
    /// the error if it does not come in time.
    Library { unfound: String },
    /// `object call`: the answer of an object; the error if it does not
    /// come in time.
    Reply { timeout_error: String },
    /// Held back for running past its instructions-per-second quota.
    Throttled,
}

struct Parked {
    agent: Box<Agent>,
    wait: Wait,
    /// When its timer fires, if it has one.
    deadline: Option<Instant>,
    /// Distinguishes this parking from later ones (stale timers ignore it).
    generation: u64,
}

/// The registry entry of an agent.
pub(crate) struct Slot {
    pub(crate) name: Option<String>,
    /// The language of its program (`Program::language`: tcl, wasm); empty
    /// when not known here (a forwarding pointer, an outcome from before
    /// a restart).
    pub(crate) language: &'static str,
    pub(crate) state: AgentState,
    pub(crate) mailbox: VecDeque<Message>,
    parked: Option<Parked>,
    pub(crate) console: String,
    /// Console bytes dropped from the front (over the limit), so that
    /// offsets into the console are absolute.
    pub(crate) console_dropped: u64,
    pub(crate) outcome: Option<AgentOutcome>,
    pub(crate) started: Instant,
    generation: u64,
    /// `suspend` asked: when the agent next becomes runnable it is held in
    /// `held` instead of the run queue.
    suspend: bool,
    /// `kill` asked while the agent was on a worker or in the queue.
    kill: bool,
    /// A suspended agent that would otherwise be runnable.
    held: Option<Box<Agent>>,
    /// Its agent parked and is in `Shared::deferred` for a checkpoint.
    checkpoint_deferred: bool,
    /// Counts departures (see `migrate.rs`).
    epoch: u64,
    /// A departure under way.
    departing: Option<Box<migrate::Departing>>,
    /// Where the agent went (state `Moved`): messages follow it there.
    moved_to: Option<String>,
    /// Its resource bindings (`resources.rs`).
    pub(crate) resources: Vec<crate::resources::Resource>,
    /// A platform-initiated move (`Runtime::migrate`) to the named node, taken
    /// when the agent next rests (end of its slice, parking, exec return).
    move_to: Option<String>,
    /// How the latest platform-initiated move ended (node, or why not).
    last_move: Option<Result<String, String>>,
    /// When it last arrived here from another node (balancing leaves
    /// recently moved agents alone).
    arrived_at: Option<Instant>,
    /// Numbers of the messages the agent sends, per receiver.
    sequencer: Sequencer,
    /// Per sender: the next number to deliver, messages held back.
    reorder: Reorder,
    /// Its owner and signed origin (`owner.rs`); none: unsigned.
    pub(crate) credential: Option<Arc<crate::owner::Credential>>,
    /// Its children alive here or on their way (`quotas.rs`), made at its
    /// first fork.
    children: Option<Arc<AtomicUsize>>,
    /// Its parent's count of children, when it was forked here.
    parent_children: Option<Arc<AtomicUsize>>,
    /// The nodes it has lived on, with times (travels in its image).
    pub(crate) itinerary: crate::observe::Itinerary,
}

impl Slot {
    fn new(name: Option<String>, state: AgentState) -> Slot {
        Slot {
            name,
            language: "",
            state,
            mailbox: VecDeque::new(),
            parked: None,
            console: String::new(),
            console_dropped: 0,
            outcome: None,
            started: Instant::now(),
            generation: 0,
            suspend: false,
            kill: false,
            held: None,
            checkpoint_deferred: false,
            epoch: 0,
            departing: None,
            moved_to: None,
            resources: Vec::new(),
            move_to: None,
            last_move: None,
            arrived_at: None,
            sequencer: Sequencer::default(),
            reorder: Reorder::default(),
            credential: None,
            children: None,
            parent_children: None,
            itinerary: Default::default(),
        }
    }

    /// Does the agent live here (not ended, not moved away)?
    fn is_here(&self) -> bool {
        !matches!(self.state, AgentState::Deleted | AgentState::Moved)
    }
}

pub(crate) use registry::Slots;

pub(crate) struct Shared {
    pub(crate) config: RuntimeConfig,
    /// `config.node`, shared by the itineraries of the agents here.
    node_name: Arc<str>,
    next_id: AtomicU64,
    queue: Mutex<VecDeque<Runnable>>,
    queue_cv: Condvar,
    /// Agents waiting for a blocking-pool thread, with their job.
    blocking: Mutex<VecDeque<(Box<Agent>, BlockingJob)>>,
    blocking_cv: Condvar,
    /// Workers waiting on `queue_cv` (changed and read under `queue`'s
    /// lock): an enqueue wakes one only if there is one to wake.
    idle_workers: AtomicUsize,
    /// Workers notified that have not yet woken (same lock): a burst of
    /// enqueues wakes each idle worker once, not once per agent.
    wakes_pending: AtomicUsize,
    /// A hint that the run queue has something (set by each enqueue, reset
    /// by the worker that took the last): what an idle worker watches
    /// before it sleeps, without taking the lock.
    maybe_queued: AtomicBool,
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
    /// Durable storage, when the node has some.
    persist: OnceLock<Arc<dyn Persist>>,
    /// The node's key-value store (`store` command); in memory unless the
    /// node provides one.
    key_value: OnceLock<Arc<dyn KeyValue>>,
    endpoints: OnceLock<Arc<dyn Endpoints>>,
    /// Agent numbers below this are reserved in the store.
    ids_reserved: Mutex<u64>,
    /// Parked agents whose checkpoint was deferred (see `checkpoint.rs`).
    deferred: Mutex<Vec<AgentId>>,
    /// Ended agents, oldest first (lock order: after `slots`).
    ended: Mutex<VecDeque<AgentId>>,
    /// Agents frozen for a platform-initiated move under the registry
    /// lock, handed to the router after it (lock order: after `slots`).
    outbox: Mutex<Vec<Departure>>,
    /// The node refuses new agents (spawns and arrivals).
    draining: AtomicBool,
    /// The node's policy: which owners it admits and what they may do
    /// (`owners.rs`); none: every agent, with `open_grant`.
    authority: OnceLock<Arc<dyn crate::owner::Authority>>,
    /// What agents may do without a policy (from the configuration).
    open_grant: Arc<crate::owner::Grant>,
    /// When agents' reorder tables want their gaps checked (lock order:
    /// after `slots`).
    gap_timers: Mutex<BinaryHeap<Reverse<(Instant, AgentId)>>>,
    /// Event counters and the sniffer's ring (`observe.rs`).
    pub(crate) counters: crate::observe::Counters,
    pub(crate) sniffer: crate::observe::Sniffer,
    /// Builds and restores programs in languages other than Tcl.
    program_factory: OnceLock<Arc<dyn ProgramFactory>>,
}

/// A running set of agents on worker threads.
pub struct Runtime {
    pub(crate) shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// The registry entry of an agent that has not ended.
fn live_slot<'a>(slots: &'a mut Slots, id: &AgentId) -> Result<&'a mut Slot, String> {
    match slots.get_mut(id) {
        Some(s) if s.is_here() => Ok(s),
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
            open_grant: Arc::new(crate::owner::Grant::open(&config.exec_allow)),
            node_name: Arc::from(config.node.as_str()),
            config,
            next_id: AtomicU64::new(1),
            queue: Mutex::new(VecDeque::new()),
            queue_cv: Condvar::new(),
            blocking: Mutex::new(VecDeque::new()),
            blocking_cv: Condvar::new(),
            idle_workers: AtomicUsize::new(0),
            wakes_pending: AtomicUsize::new(0),
            maybe_queued: AtomicBool::new(false),
            waiters: AtomicUsize::new(0),
            slots: Mutex::new(Slots::default()),
            directory: Mutex::new(crate::df::Directory::default()),
            router: std::sync::RwLock::new(None),
            done_cv: Condvar::new(),
            timers: Mutex::new(BinaryHeap::new()),
            timer_cv: Condvar::new(),
            shutdown: AtomicBool::new(false),
            persist: OnceLock::new(),
            key_value: OnceLock::new(),
            endpoints: OnceLock::new(),
            ids_reserved: Mutex::new(0),
            deferred: Mutex::new(Vec::new()),
            ended: Mutex::new(VecDeque::new()),
            outbox: Mutex::new(Vec::new()),
            draining: AtomicBool::new(false),
            authority: OnceLock::new(),
            gap_timers: Mutex::new(BinaryHeap::new()),
            counters: Default::default(),
            sniffer: Default::default(),
            program_factory: OnceLock::new(),
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
        for i in 0..shared.config.blocking_threads.max(1) {
            let s = shared.clone();
            let t = std::thread::Builder::new()
                .name(format!("agent-blocking-{i}"))
                .spawn(move || blocking_loop(&s))
                .expect("spawn blocking thread");
            threads.push(t);
        }
        let s = shared.clone();
        threads.push(
            std::thread::Builder::new()
                .name("agent-timers".into())
                .spawn(move || timer_loop(&s))
                .expect("spawn timer thread"),
        );
        Runtime { shared, threads: Mutex::new(threads) }
    }

    /// Creates an agent running `script` from the start; returns its id.
    pub fn spawn(&self, script: &str, name: Option<&str>) -> Result<AgentId, String> {
        self.spawn_with(script, name, &[])
    }

    /// `spawn` with global variables set before the script starts (the
    /// `agent` array is the runtime's and cannot be given). An unsigned
    /// agent: refused if the node's policy admits none.
    pub fn spawn_with(&self, script: &str, name: Option<&str>, vars: &[(String, String)]) -> Result<AgentId, String> {
        self.shared.admit_owner(None, crate::owner::Entry::Start)?;
        self.spawn_owned(script, name, vars, None)
    }

    /// Starts the agent an owner signed (`itin submit --key`): refused
    /// unless the signature verifies and the node's policy admits the owner.
    pub fn spawn_signed(&self, credential: crate::owner::Credential) -> Result<AgentId, String> {
        let s = &self.shared;
        if let Err(why) = credential.verify() {
            s.refused(Some(&credential.owner), &why);
            return Err(why);
        }
        s.admit_owner(Some(&credential.owner), crate::owner::Entry::Start)?;
        let c = Arc::new(credential);
        self.spawn_owned(&c.submission.script, c.submission.name.as_deref(), &c.submission.vars, Some(c.clone()))
    }

    fn spawn_owned(
        &self,
        script: &str,
        name: Option<&str>,
        vars: &[(String, String)],
        credential: Option<Arc<crate::owner::Credential>>,
    ) -> Result<AgentId, String> {
        if let Some((k, _)) = vars.iter().find(|(k, _)| k == "agent" || k.starts_with("agent(")) {
            return Err(format!("variable \"{k}\" is reserved"));
        }
        let s = &self.shared;
        s.refuse_if_draining()?;
        s.refuse_if_full()?;
        let n = s.next_id.fetch_add(1, Ordering::Relaxed);
        s.reserve_id(n);
        let id = AgentId(Arc::from(format!("{n}@{}", s.config.node)));
        if s.persist.get().is_none() && vars.is_empty() && credential.is_none() {
            // Without a store, the worker that first runs it builds it
            // (cheaper spawns; its memory is allocated and freed on one thread).
            let birth = Box::new(Birth { id: id.clone(), script: script.into(), name: name.map(Box::from) });
            lock(&s.slots).insert(id.clone(), Box::new(s.born(name, "tcl")));
            s.push_runnable(Runnable::Birth(birth));
            s.agent_here(&id, 0);
            return Ok(id);
        }
        let mut tcl = Interp::new();
        tcl.start(script, None);
        self.spawn_program(Box::new(tcl), &id, name, vars, credential)
    }

    /// Gives the runtime durable storage: from now on agents are
    /// checkpointed (see `checkpoint.rs`). Set it once, before spawning.
    pub fn set_persist(&self, persist: Arc<dyn Persist>) {
        let _ = self.shared.persist.set(persist);
    }

    /// Gives the runtime the node's durable key-value store (before any
    /// agent uses `store`; otherwise keys live in memory).
    pub fn set_key_value(&self, kv: Arc<dyn KeyValue>) {
        let _ = self.shared.key_value.set(kv);
    }

    /// Gives the runtime the node's listening endpoints (before agents
    /// resume; without them, `resource listen` fails).
    pub fn set_endpoints(&self, endpoints: Arc<dyn Endpoints>) {
        let _ = self.shared.endpoints.set(endpoints);
    }

    /// Serves a resource operation asked by an agent on another node that
    /// holds a global reference to a resource here.
    pub fn serve_resource_call(&self, op: &[String]) -> Result<String, String> {
        if self.shared.shutdown.load(Ordering::SeqCst) {
            return Err(format!("node {} is stopping", self.shared.config.node));
        }
        self.shared.resource_op_here(op)
    }

    /// Agent numbers start at `first` (a restarted node skips every
    /// number it may have given before).
    pub fn set_first_id(&self, first: u64) {
        self.shared.next_id.fetch_max(first, Ordering::Relaxed);
        let mut reserved = lock(&self.shared.ids_reserved);
        *reserved = (*reserved).max(first);
    }

    /// Brings back an agent from its image (a checkpoint, or an agent that
    /// arrives from another node): it continues where the image was taken,
    /// waiting again in the receive or `after` it was waiting in (a timed
    /// wait keeps its wall-clock deadline).
    pub fn restore(&self, image: AgentImage) -> Result<(), String> {
        let s = &self.shared;
        let interp =
            s.restore_program(&image.snapshot).map_err(|e| format!("agent {}: bad snapshot: {e}", image.id))?;
        let wait = interp.pending_request().cloned().map(|req| WaitRequest::parse(req, image.wake_at_ms));
        let prepared = s.prepare(interp, image, wait)?;
        s.admit(prepared, false).map(drop)
    }

    /// Waits until every checkpoint issued so far is durable (at once
    /// without a store).
    pub fn flush_store(&self) {
        if let Some(p) = self.shared.persist.get() {
            p.flush();
        }
    }

    /// Brings back the outcome of an agent that ended here before a
    /// restart (from the store), so that `wait` and the CLI still report
    /// it; an agent the registry already has is left alone.
    pub fn restore_ended(&self, id: AgentId, outcome: AgentOutcome) {
        self.record_ended(id, None, "", outcome);
    }

    /// An agent from the store that cannot be brought back (its snapshot
    /// is refused, its module is missing or altered): recorded as ended
    /// with error `why`, so that `wait`, `itin agent info` and `itin
    /// agents` report it instead of it vanishing. `name` and `language`
    /// are its image's (`program::language_of` its snapshot).
    pub fn restore_refused(&self, id: AgentId, name: Option<String>, language: &'static str, why: String) {
        self.record_ended(id, name, language, AgentOutcome { result: Err(why) });
    }

    fn record_ended(&self, id: AgentId, name: Option<String>, language: &'static str, outcome: AgentOutcome) {
        let mut slots = lock(&self.shared.slots);
        if slots.contains_key(&id) {
            return;
        }
        let mut slot = Slot::new(name, AgentState::Deleted);
        slot.language = language;
        slot.outcome = Some(outcome);
        slots.insert(id.clone(), Box::new(slot));
        lock(&self.shared.ended).push_back(id);
    }

    /// A clean stop: stops the workers and the timer thread, checkpoints
    /// every agent still alive, and waits until the store has them all.
    pub fn checkpoint_and_stop(&self) {
        self.halt_threads();
        let s = &self.shared;
        if let Some(p) = s.persist.get() {
            let mut slots = lock(&s.slots);
            // Agents never run (births) have nothing to checkpoint but their
            // spawn-time image, which only exists with a store: then they
            // were built at spawn and are `Runnable::Agent`.
            let queued: Vec<Box<Agent>> = lock(&s.queue)
                .drain(..)
                .filter_map(|r| match r {
                    Runnable::Agent(a) => Some(a),
                    Runnable::Birth(_) => None,
                    // Its image keeps the departure as its pending request,
                    // served again when it is resumed.
                    Runnable::Departing(d) => Some(d.0),
                })
                .collect();
            for mut agent in queued {
                if let Some(slot) = slots.get(&agent.id) {
                    s.checkpoint(&mut agent, slot, None);
                }
            }
            for slot in slots.values_mut() {
                s.checkpoint_at_rest(slot);
            }
            drop(slots);
            p.flush();
        }
        self.stop();
    }

    /// Sets where messages for agents of other nodes go.
    pub fn set_router(&self, router: Arc<dyn Router>) {
        *self.shared.router.write().unwrap_or_else(|e| e.into_inner()) = Some(router);
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

    /// Delivers many messages, as `send` would one by one, but taking the
    /// registry lock once for all those to this node's agents (a node's
    /// reader hands over what one read brought). Messages keep the order
    /// given; the result of each, in that order.
    pub fn send_many(&self, msgs: Vec<(AgentId, Message)>) -> Vec<Result<(), SendError>> {
        self.shared.send_many(msgs)
    }

    /// `send` of a code and text from outside the platform (or from `from`).
    pub fn send_text(&self, to: &AgentId, from: Option<&AgentId>, code: i64, body: &str) -> Result<(), SendError> {
        self.shared
            .send(to, Message { from: from.cloned(), code, body: body.to_owned(), acl: None, hops: 0, seq: None })
    }

    /// Waits up to `timeout` for an agent to end; its outcome.
    pub fn wait(&self, id: &AgentId, timeout: Duration) -> Option<AgentOutcome> {
        let deadline = Instant::now() + timeout;
        let mut slots = lock(&self.shared.slots);
        loop {
            match slots.get(id) {
                Some(slot) if slot.outcome.is_some() => return slot.outcome.clone(),
                Some(slot) if slot.state == AgentState::Moved => return None,
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
        lock(&self.shared.slots).values().filter(|s| s.is_here()).count()
    }

    /// Forgets ended agents (their outcomes and consoles).
    pub fn reap(&self) {
        lock(&self.shared.slots).retain(|_, s| s.is_here());
    }

    /// Stops the workers (agents still alive are dropped).
    pub fn shutdown(self) {
        self.stop();
    }

    fn halt_threads(&self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        self.shared.queue_cv.notify_all();
        self.shared.blocking_cv.notify_all();
        self.shared.timer_cv.notify_all();
        let threads = std::mem::take(&mut *lock(&self.threads));
        for t in threads {
            let _ = t.join();
        }
    }

    fn stop(&self) {
        self.halt_threads();
        // Break the agents' references before the registry goes away.
        lock(&self.shared.queue).clear();
        lock(&self.shared.slots).clear();
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    fn enqueue(&self, agent: Box<Agent>) {
        self.push_runnable(Runnable::Agent(agent));
    }

    fn push_runnable(&self, r: Runnable) {
        let mut q = lock(&self.queue);
        q.push_back(r);
        self.maybe_queued.store(true, Ordering::Relaxed);
        // A notify is a system call: skip it when every worker is busy (a
        // worker counts itself idle under this lock before it waits) or
        // every idle one has been notified already (it will find this one).
        let pending = self.wakes_pending.load(Ordering::Relaxed);
        if self.idle_workers.load(Ordering::Relaxed) > pending {
            self.wakes_pending.store(pending + 1, Ordering::Relaxed);
            self.queue_cv.notify_one();
        }
    }

    /// Wakes callers of `Runtime::wait`, if any (`slots` must be locked).
    fn notify_done(&self) {
        if self.waiters.load(Ordering::Relaxed) > 0 {
            self.done_cv.notify_all();
        }
    }

    /// Gives a new or restored interpreter its console, agent commands and
    /// the memory quota of its owner (`credential`).
    fn attach(self: &Arc<Self>, interp: &mut dyn Program, id: &AgentId, credential: Option<&crate::owner::Credential>) {
        interp.attach(AgentHost::new(self, id), self.quotas_of(credential).memory_bytes);
    }

    /// Makes sure agent number `n` is reserved in the store before it is
    /// used (ids are reserved a block at a time).
    fn reserve_id(&self, n: u64) {
        const ID_BLOCK: u64 = 1 << 16;
        let Some(p) = self.persist.get() else { return };
        let mut reserved = lock(&self.ids_reserved);
        if n >= *reserved {
            *reserved = n + ID_BLOCK;
            p.reserve_ids(*reserved);
        }
    }

    /// The image of `agent` (on no worker, or owned by the caller); `slot`
    /// is its registry entry, `deadline` its timer if it waits on one.
    fn image(&self, agent: &Agent, slot: &Slot, deadline: Option<Instant>) -> Option<AgentImage> {
        let snapshot = match agent.interp.snapshot() {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(node = %self.config.node, "cannot checkpoint agent {}: {e}", agent.id);
                return None;
            }
        };
        Some(AgentImage {
            id: agent.id.clone(),
            name: slot.name.clone(),
            snapshot,
            mailbox: slot.mailbox.iter().cloned().collect(),
            suspended: slot.suspend,
            wake_at_ms: deadline.map(wall_clock_ms),
            console: slot.console.clone(),
            services: lock(&self.directory).services_of(&agent.id),
            epoch: slot.epoch,
            resources: slot.resources.clone(),
            carried: Vec::new(),
            moving_to: None,
            ordering: Shared::ordering_state(slot),
            credential: slot.credential.clone(),
            itinerary: slot.itinerary.clone(),
        })
    }

    /// Checkpoints `agent` now, if the runtime has a store (the caller
    /// holds the registry lock; `slot` is the agent's entry).
    fn checkpoint(&self, agent: &mut Agent, slot: &Slot, deadline: Option<Instant>) {
        let Some(p) = self.persist.get() else { return };
        if let Some(image) = self.image(agent, slot, deadline) {
            p.save(image);
            agent.checkpointed_at = Some(Instant::now());
            agent.dirty = false;
        }
    }

    /// Checkpoints the agent of `slot` if it is parked or held there.
    fn checkpoint_at_rest(&self, slot: &mut Slot) {
        if let Some(mut parked) = slot.parked.take() {
            self.checkpoint(&mut parked.agent, slot, parked.deadline);
            slot.parked = Some(parked);
        } else if let Some(mut agent) = slot.held.take() {
            self.checkpoint(&mut agent, slot, None);
            slot.held = Some(agent);
        }
    }

    /// A parking agent that ran since its last checkpoint is checkpointed
    /// now, or soon by the timer thread if its last one is very recent.
    fn checkpoint_on_park(&self, agent: &mut Agent, slot: &mut Slot, deadline: Option<Instant>) {
        if self.persist.get().is_none() || !agent.dirty {
            return;
        }
        if agent.checkpointed_at.is_some_and(|t| t.elapsed() < PARK_CHECKPOINT_GAP) {
            if !slot.checkpoint_deferred {
                slot.checkpoint_deferred = true;
                lock(&self.deferred).push(agent.id.clone());
            }
        } else {
            self.checkpoint(agent, slot, deadline);
        }
    }

    /// Forgets the oldest ended agents beyond `ended_kept`.
    fn forget_old_outcomes(&self) {
        let mut slots = lock(&self.slots);
        let mut ended = lock(&self.ended);
        while ended.len() > self.config.ended_kept {
            if let Some(id) = ended.pop_front() {
                if slots.get(&id).is_some_and(|s| s.state == AgentState::Deleted) {
                    slots.remove(&id);
                }
            }
        }
    }

    /// Takes the deferred checkpoints of agents still parked (one that
    /// runs again is checkpointed when it next parks).
    fn checkpoint_deferred(&self) {
        let ids = std::mem::take(&mut *lock(&self.deferred));
        for id in ids {
            let mut slots = lock(&self.slots);
            if let Some(slot) = slots.get_mut(&id) {
                slot.checkpoint_deferred = false;
                if slot.parked.as_ref().is_some_and(|p| p.agent.dirty) {
                    self.checkpoint_at_rest(slot);
                }
            }
        }
    }

    /// Ends the agent of `slot` (locked by the caller): its outcome is
    /// kept, its mailbox, directory entries and stored image go.
    fn end(&self, id: &AgentId, slot: &mut Slot, result: Result<String, String>) {
        lock(&self.ended).push_back(id.clone());
        slot.state = AgentState::Deleted;
        slot.leave_parent();
        let outcome = AgentOutcome { result };
        if let Some(p) = self.persist.get() {
            p.ended(id, &outcome);
        }
        if let Some(r) = self.router() {
            r.agent_ended(id);
        }
        slot.outcome = Some(outcome);
        slot.mailbox.clear();
        slot.reorder = Reorder::default();
        slot.sequencer = Sequencer::default();
        slot.parked = None;
        slot.held = None;
        self.close_endpoints(id, &std::mem::take(&mut slot.resources));
        let had_services = {
            let mut d = lock(&self.directory);
            let had = !d.services_of(id).is_empty();
            d.forget(id);
            had
        };
        if had_services {
            self.directory_changed(id);
        }
        self.notify_done();
    }

    /// Makes a woken or preempted agent runnable, unless it was suspended or
    /// killed meanwhile (`slot` is its registry entry, locked by the caller).
    fn make_runnable(&self, slot: &mut Slot, agent: Box<Agent>) {
        if let Some(agent) = self.ready(slot, agent) {
            self.enqueue(agent);
        }
    }

    /// The agent back, active, if it may run now; otherwise it is ended
    /// (killed), frozen for a move or held (suspended).
    fn ready(&self, slot: &mut Slot, mut agent: Box<Agent>) -> Option<Box<Agent>> {
        if slot.kill {
            self.end(&agent.id, slot, Err("killed".into()));
        } else if let Some(dest) = slot.move_to.take() {
            if let Err(agent) = self.freeze_for_move(slot, agent, dest, None, None) {
                return self.ready(slot, agent);
            }
        } else if slot.suspend {
            slot.state = AgentState::Suspended;
            self.checkpoint(&mut agent, slot, None);
            slot.held = Some(agent);
        } else {
            slot.state = AgentState::Active;
            return Some(agent);
        }
        None
    }

    /// The agent if it may run now; otherwise it is held or ended.
    fn check_before_run(&self, agent: Box<Agent>) -> Option<Box<Agent>> {
        let mut slots = lock(&self.slots);
        let slot = slots.get_mut(&agent.id)?;
        if slot.kill || slot.suspend || slot.move_to.is_some() {
            self.make_runnable(slot, agent);
            return None;
        }
        slot.state = AgentState::Active;
        Some(agent)
    }

    /// Gives a preempted agent back: to the queue, or held/killed. A busy
    /// agent is checkpointed here once per checkpoint interval.
    fn requeue(&self, mut agent: Box<Agent>) {
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get_mut(&agent.id) {
            if self.persist.get().is_some()
                && agent.checkpointed_at.is_none_or(|t| t.elapsed() >= self.config.checkpoint_interval)
            {
                self.checkpoint(&mut agent, slot, None);
            }
            self.make_runnable(slot, agent);
        }
    }

    pub(crate) fn suspend(&self, id: &AgentId) -> Result<(), String> {
        let mut slots = lock(&self.slots);
        let slot = live_slot(&mut slots, id)?;
        slot.suspend = true;
        if slot.parked.is_some() {
            slot.state = AgentState::Suspended;
            self.checkpoint_at_rest(slot);
        }
        Ok(())
    }

    pub(crate) fn resume(&self, id: &AgentId) -> Result<(), String> {
        let mut slots = lock(&self.slots);
        let slot = live_slot(&mut slots, id)?;
        slot.suspend = false;
        if let Some(mut agent) = slot.held.take() {
            slot.state = AgentState::Active;
            self.checkpoint(&mut agent, slot, None);
            self.enqueue(agent);
        } else if slot.parked.is_some() {
            slot.state = AgentState::Waiting;
            self.checkpoint_at_rest(slot);
        }
        Ok(())
    }

    pub(crate) fn kill(&self, id: &AgentId) -> Result<(), String> {
        let mut slots = lock(&self.slots);
        let slot = live_slot(&mut slots, id)?;
        if slot.parked.is_some() || slot.held.is_some() {
            // It was on no worker: it ends now.
            self.end(id, slot, Err("killed".into()));
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
            .filter(|(_, s)| s.is_here() && name.is_none_or(|n| s.name.as_deref() == Some(n)))
            .map(|(id, _)| id.clone())
            .collect();
        ids.sort();
        ids
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<AgentId> {
        if let Some(id) = AgentId::parse(name) {
            return Some(id);
        }
        lock(&self.slots).named(name).cloned()
    }

    pub(crate) fn router(&self) -> Option<Arc<dyn Router>> {
        self.router.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Serves a waiting request: the agent back if it can go on now,
    /// otherwise it is parked.
    fn wait(&self, agent: Box<Agent>, request: WaitRequest) -> Option<Box<Agent>> {
        match request {
            WaitRequest::Receive { receiver, nonblocking, timeout } => {
                self.receive_or_park(agent, receiver, nonblocking, timeout)
            }
            WaitRequest::Sleep(d) => {
                self.park(agent, Wait::Sleep, Some(d));
                None
            }
            WaitRequest::Exec(args) => self.exec(agent, args),
            WaitRequest::Resource(args) => {
                if let Some(slot) = lock(&self.slots).get_mut(&agent.id) {
                    slot.state = AgentState::Waiting;
                }
                lock(&self.blocking).push_back((agent, BlockingJob::Resource(args)));
                self.blocking_cv.notify_one();
                None
            }
            WaitRequest::Depart { kind, dest, script } => self.depart(agent, kind, dest, script, None),
            WaitRequest::Library { name, req } => self.require_library(agent, name, req),
            WaitRequest::ObjectCall(words) => self.object_call(agent, words),
        }
    }

    /// `exec`: hands the agent to the blocking pool, or refuses at once.
    fn exec(&self, mut agent: Box<Agent>, args: Vec<String>) -> Option<Box<Agent>> {
        if let Err(why) = self.check_exec(&agent.id, &args) {
            let _ = agent.interp.resume(Err(why));
            return Some(agent);
        }
        if let Some(slot) = lock(&self.slots).get_mut(&agent.id) {
            slot.state = AgentState::Waiting;
        }
        lock(&self.blocking).push_back((agent, BlockingJob::Exec(args)));
        self.blocking_cv.notify_one();
        None
    }

    /// Parks an agent until a message or its timer wakes it (the caller
    /// made sure no message it wants is in the mailbox, under this lock).
    fn park_locked(&self, slot: &mut Slot, mut agent: Box<Agent>, wait: Wait, timeout: Option<Duration>) {
        if slot.kill {
            self.make_runnable(slot, agent);
            return;
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        if let Some(dest) = slot.move_to.take() {
            // Moved instead of parked: it waits on over there.
            match self.freeze_for_move(slot, agent, dest, deadline.map(wall_clock_ms), None) {
                Ok(()) => return,
                Err(back) => agent = back,
            }
        }
        slot.generation += 1;
        let generation = slot.generation;
        slot.state = if slot.suspend { AgentState::Suspended } else { AgentState::Waiting };
        self.checkpoint_on_park(&mut agent, slot, deadline);
        if let Some(at) = deadline {
            lock(&self.timers).push(Reverse((at, generation, agent.id.clone())));
            self.timer_cv.notify_one();
        }
        slot.parked = Some(Parked { agent, wait, deadline, generation });
    }

    /// Parks a sleeping agent (`after`) until its timer fires.
    fn park(&self, agent: Box<Agent>, wait: Wait, timeout: Option<Duration>) {
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get_mut(&agent.id) {
            self.park_locked(slot, agent, wait, timeout);
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
                let result = match p.wait {
                    Wait::Library { unfound } | Wait::Reply { timeout_error: unfound } => Some(Err(unfound)),
                    Wait::Throttled => None,
                    _ => Some(Ok(String::new())),
                };
                if let Some(result) = result {
                    let _ = agent.interp.resume(result);
                }
                self.make_runnable(slot, agent);
            }
        }
    }

    fn finish(&self, id: &AgentId, result: Result<String, String>) {
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get_mut(id) {
            self.end(id, slot, result);
        }
    }

    /// An agent's output: to its console here, or where its console
    /// binding says (a global reference to the console of another node).
    pub(crate) fn write_console(&self, id: &AgentId, text: &str) {
        let bound_at = {
            let slots = lock(&self.slots);
            let Some(slot) = slots.get(id) else { return };
            slot.resources.iter().find(|r| r.kind == crate::resources::Kind::Console).map(|r| r.node.clone())
        };
        match bound_at {
            None => {}
            Some(node) if node == self.config.node => return self.console_here(id, text),
            Some(node) => {
                if let Some(r) = self.router() {
                    r.resource_post(&node, vec!["console-write".into(), id.to_string(), text.to_owned()]);
                }
                return;
            }
        }
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get_mut(id) {
            self.append_console(slot, text);
        }
    }

    /// Adds `text` to an agent's console, dropping its oldest output over
    /// the limit.
    fn append_console(&self, slot: &mut Slot, text: &str) {
        let limit = self.config.console_limit;
        slot.console.push_str(text);
        if slot.console.len() > limit {
            let mut cut = slot.console.len() - limit;
            while !slot.console.is_char_boundary(cut) {
                cut += 1;
            }
            slot.console.drain(..cut);
            slot.console_dropped += cut as u64;
        }
    }

    /// `agent_receive` on a running agent (`id`, on the caller's worker):
    /// the first message of its mailbox, taken at once so that the agent
    /// need not stop. With an empty mailbox the agent suspends and
    /// `receive_or_park` checks again under the lock that parks it.
    pub(crate) fn take_first(&self, id: &AgentId) -> Option<Message> {
        lock(&self.slots).get_mut(id)?.mailbox.pop_front()
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
        self.park_locked(slot, agent, Wait::Receive(receiver), timeout);
        None
    }
}

/// Milliseconds since the Unix epoch at `at` (a monotonic instant).
fn wall_clock_ms(at: Instant) -> u64 {
    let now = Instant::now();
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let wall = if at >= now { wall + (at - now) } else { wall.saturating_sub(now - at) };
    wall.as_millis() as u64
}

/// How long until the wall-clock time `ms` (zero if it has passed).
fn until_wall_clock_ms(ms: u64) -> Duration {
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Duration::from_millis(ms).saturating_sub(wall)
}

/// A host request that makes an agent wait, with its arguments parsed.
enum WaitRequest {
    Receive {
        receiver: Receiver,
        nonblocking: bool,
        timeout: Option<Duration>,
    },
    Sleep(Duration),
    /// A program run on the blocking pool.
    Exec(Vec<String>),
    /// A resource operation (node, then the operation), on the blocking
    /// pool: files and the store may block, remote ones wait for a reply.
    Resource(Vec<String>),
    /// `agent_jump`, `agent_fork`, `agent_submit` (with the child's script).
    Depart {
        kind: DepartureKind,
        dest: String,
        script: Option<String>,
    },
    /// `package require` of a library not loaded in the agent.
    Library {
        name: String,
        req: Requirement,
    },
    /// `object call` (timeout, reference, method, arguments).
    ObjectCall(Vec<String>),
}

impl WaitRequest {
    /// The wait `req` asks for; `wake_at_ms` (from an image) overrides the
    /// timeout with the deadline computed when the wait began.
    /// (Takes the request: its strings move into the wait, uncopied.)
    fn parse(mut req: HostRequest, wake_at_ms: Option<u64>) -> Result<WaitRequest, String> {
        let ms = |args: &[String], i: usize| args.get(i).and_then(|a| a.parse::<u64>().ok());
        let timeout = |given: Option<u64>| match wake_at_ms {
            Some(at) => Some(until_wall_clock_ms(at)),
            None => given.map(Duration::from_millis),
        };
        let ms = |i: usize| ms(&req.args, i);
        match req.command.as_str() {
            "agent_receive" => {
                let timeout = timeout(ms(3));
                let nonblocking = req.args.get(2).is_some_and(|a| a == "1");
                let mut take = |i: usize| req.args.get_mut(i).map(std::mem::take).unwrap_or_default();
                let code_var = take(0);
                Ok(WaitRequest::Receive {
                    receiver: Receiver::Plain { code_var, body_var: take(1) },
                    nonblocking,
                    timeout,
                })
            }
            "acl_receive" => {
                // args: performative, conversation-id, sender ("" = any), timeout
                let opt = |i: usize| req.args.get(i).filter(|a| !a.is_empty()).cloned();
                let filter = AclFilter { performative: opt(0), conversation_id: opt(1), sender: opt(2) };
                Ok(WaitRequest::Receive {
                    receiver: Receiver::Acl(filter),
                    nonblocking: false,
                    timeout: timeout(ms(3)),
                })
            }
            "after" => Ok(WaitRequest::Sleep(timeout(Some(ms(0).unwrap_or(0))).unwrap_or_default())),
            "exec" => Ok(WaitRequest::Exec(std::mem::take(&mut req.args))),
            "resource_io" => Ok(WaitRequest::Resource(std::mem::take(&mut req.args))),
            "object_call" => Ok(WaitRequest::ObjectCall(std::mem::take(&mut req.args))),
            "package_require" => {
                let name = req.args.first().cloned().unwrap_or_default();
                let req = Requirement::decode(req.args.get(1).map(String::as_str).unwrap_or(""))?;
                Ok(WaitRequest::Library { name, req })
            }
            "agent_jump" | "agent_fork" | "agent_submit" => {
                let kind = match req.command.as_str() {
                    "agent_jump" => DepartureKind::Jump,
                    "agent_fork" => DepartureKind::Fork,
                    _ => DepartureKind::Submit,
                };
                let mut args = std::mem::take(&mut req.args).into_iter();
                let dest = args.next().unwrap_or_default();
                let script = (kind == DepartureKind::Submit).then(|| args.next().unwrap_or_default());
                Ok(WaitRequest::Depart { kind, dest, script })
            }
            other => Err(format!("unknown request \"{other}\"")),
        }
    }
}
