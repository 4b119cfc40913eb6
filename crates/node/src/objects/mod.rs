//! The object server of a node: object adapters holding objects, servants
//! serving their calls, calls from clients, agents and other nodes.
//!
//! An adapter ([`adapter::Policy`]) decides which servant serves a call
//! (instance policy), when it may start (threading policy, through the pure
//! [`adapter::Scheduler`]), when servants come and go (activation policy,
//! [`adapter::Activations`]) and whether they outlive the process
//! (lifespan: `persistent` adapters keep objects and servant states in the
//! store, `persist.rs`). This module is the edge: it runs the calls the
//! scheduler starts on tokio's blocking threads, answers through a
//! callback, and reaches other nodes through [`Peers`].
//!
//! A call to an object of another node goes to that node as an
//! `ObjectWire::Call` and its answer comes back as a `Reply`; a cancel
//! follows on the urgent lane. An object that moved leaves a forwarding
//! entry: calls to its old reference are answered `Moved` with the new one.
//!
//! Guarantees: a call is answered exactly once (result, error, moved,
//! cancelled or timed out), never later than its deadline plus one slice
//! of its servant; a servant runs one call at a time. Not guaranteed: a
//! call that was running when its node crashed is not answered (the client
//! times out); state changes of calls that ran during a move, after the
//! servant's state was taken, are lost (calls are refused while moving).

pub mod adapter;
pub mod cache;
mod caching;
pub mod channel;
pub mod client;
pub mod cookie;
mod engine;
mod fronting;
pub mod oob;
mod persist;
pub mod proto;
pub mod reference;
pub mod servant;
pub mod stub;
pub mod tracking;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use crate::net::frame::Frame;
use crate::store::Store;
use adapter::{Activation, Activations, Instance, Lifespan, Organisation, Policy, Scheduler, ServantKey};
use cookie::CookieKey;
use proto::{AdapterRow, Call, CallOutcome, ObjectReply, ObjectRequest, ObjectRow, ObjectWire};
use reference::{check_name, ObjectRef};
use servant::{Body, CallControl, Servant, TclServant};

/// A call's longest time when the caller gives none, and at most.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);
pub const MAX_CALL_TIMEOUT: Duration = Duration::from_secs(600);
/// Moves followed by one call before it gives up (a cycle, or a chase).
pub const MAX_FOLLOW: usize = 8;
/// Most adapters on a node, and objects in one adapter.
pub const MAX_ADAPTERS: usize = 1024;
pub const MAX_OBJECTS: usize = 100_000;
/// Longest wait for the destination of a move.
const MOVE_TIMEOUT: Duration = Duration::from_secs(5);
/// How often idle `on-demand` servants are looked for.
const REAPER_PERIOD: Duration = Duration::from_millis(20);

/// How a call is answered (called exactly once, on any thread).
pub type Reply = Box<dyn FnOnce(CallOutcome) + Send>;
/// As `Reply`, with the cookie a `per-call` adapter hands out: `Some`
/// replaces the client's cookie (empty: drop it); `None`: no cookie.
pub type Answer = Box<dyn FnOnce(CallOutcome, Option<Vec<u8>>) + Send>;
/// Servant states by session (what a move carries, what the store keeps).
pub type States = Vec<(String, Vec<u8>)>;
/// A servant that calls share (one at a time).
type SharedServant = Arc<Mutex<Box<dyn Servant>>>;
/// How a call ended: its result, and the cookie to hand out (`Answer`).
type Ended = (Result<String, String>, Option<Vec<u8>>);

/// A call's servant, ready to serve it (`Objects::prepare`).
struct Prepared {
    servant: Slot,
    /// The kept servant's key; none: `per-call`.
    key: Option<ServantKey>,
    /// `ADAPTER/ID`, what a `per-call` cookie is signed for.
    object: String,
}

enum Slot {
    /// A `per-call` servant, this call's alone.
    Fresh(Box<dyn Servant>),
    Kept(SharedServant),
}

impl Slot {
    fn with<R>(&mut self, f: impl FnOnce(&mut dyn Servant) -> R) -> R {
        match self {
            Slot::Fresh(s) => f(s.as_mut()),
            Slot::Kept(s) => f(lock(s).as_mut()),
        }
    }
}
/// Makes a fresh Rust servant.
pub type RustFactory = Arc<dyn Fn() -> Box<dyn Servant> + Send + Sync>;

/// How the object server reaches other nodes (the node's links).
pub trait Peers: Send + Sync {
    fn send(&self, node: &str, frame: Frame) -> Result<(), String>;

    /// Where `node` listens (a front hands clients there).
    fn addr_of(&self, _node: &str) -> Option<std::net::SocketAddr> {
        None
    }
}

/// The object server (see the module comment).
pub struct Objects {
    node: String,
    /// Calls served here, by adapter (`metrics.rs`).
    pub invocations: Arc<crate::metrics::Invocations>,
    store: Option<Arc<Store>>,
    handle: tokio::runtime::Handle,
    peers: OnceLock<Weak<dyn Peers>>,
    /// The node's runtime, for answering agents' calls.
    runtime: OnceLock<Weak<itinerant_core::Runtime>>,
    adapters: Mutex<BTreeMap<String, Arc<Adapter>>>,
    /// Where moved objects went, by (adapter, id).
    moved: Mutex<HashMap<(String, String), String>>,
    rust_types: Mutex<HashMap<String, RustFactory>>,
    next_call: AtomicU64,
    /// Local calls not yet answered: cancel flag and adapter.
    running: Mutex<HashMap<u64, (Arc<AtomicBool>, String)>>,
    /// This node's calls to other nodes: the node and how to answer.
    remote: Mutex<HashMap<u64, (String, Answer)>>,
    /// Calls from other nodes running here: (node, its number) -> ours.
    inbound: Mutex<HashMap<(String, u64), u64>>,
    /// Open call channels by token (their calls in flight, for cancels
    /// on their urgent lanes).
    channels: Mutex<HashMap<u64, ChannelEntry>>,
    /// Moves waiting for their destination's answer.
    installs: Mutex<HashMap<u64, tokio::sync::oneshot::Sender<Result<(), String>>>>,
    /// Signs the cookies of `per-call` adapters.
    cookie_key: CookieKey,
    /// This process's boot id: in leases and probe answers, so that
    /// clients learn of a restart (`cache.rs`).
    epoch: u64,
    /// The services this node fronts (`crate::front`), if any.
    front: OnceLock<Arc<crate::front::Front>>,
    /// Strict mutations waiting for acknowledgements, and their answers.
    recalls: Mutex<tracking::Recalls<Holder>>,
    deferred: Mutex<HashMap<u64, Box<dyn FnOnce() + Send>>>,
    /// Copies of read-only results kept for this node's agents.
    agent_cache: Mutex<cache::Cache>,
    /// Leases that came with answers to this node's calls to other
    /// nodes, by call number.
    lease_sinks: Mutex<HashMap<u64, LeaseSink>>,
    /// Bytes written to call channels (answers, handoffs, invalidations).
    pub channel_bytes_out: AtomicU64,
}

/// Who holds copies of an object's results (`tracking.rs`): a client's
/// call channel, or a node (for its agents).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holder {
    Channel(u64),
    Node(String),
}

/// Where a read's lease is left for its answer: length and epoch.
pub(crate) type LeaseSink = Arc<Mutex<Option<(Duration, u64)>>>;

/// A call whose caller keeps copies: who it is, and where its lease goes.
pub(crate) struct LeaseRequest {
    holder: Holder,
    sink: LeaseSink,
}

/// A call channel: its calls in flight, and (weakly: the channel owns
/// it) the queue of frames to its client, for invalidations.
struct ChannelEntry {
    flights: channel::Flights,
    out: Option<tokio::sync::mpsc::WeakUnboundedSender<ObjectWire>>,
}

struct Adapter {
    name: String,
    policy: Policy,
    objects: Mutex<BTreeMap<String, ObjectState>>,
    sched: Mutex<Scheduler<Job>>,
    /// Active servants; one lock for both, so that deactivation and a
    /// starting call never disagree.
    live: Mutex<Live>,
    /// The thread of an iterative or event-driven adapter (made by its
    /// first call; it ends when the adapter is dropped).
    engine: Mutex<Option<std::sync::mpsc::Sender<Job>>>,
    /// Who holds copies of which object (`caching=…` adapters only).
    tracker: Option<Mutex<tracking::Tracker<Holder>>>,
}

#[derive(Default)]
struct Live {
    activations: Activations,
    servants: HashMap<ServantKey, SharedServant>,
}

struct ObjectState {
    body: Body,
    /// Methods whose results clients may keep (`caching=…` adapters).
    read_only: Arc<Vec<String>>,
    moving: bool,
    activations: u64,
    calls: u64,
}

struct Job {
    number: u64,
    object: String,
    session: String,
    method: String,
    args: Vec<String>,
    cookie: Vec<u8>,
    ctl: CallControl,
    reply: Answer,
    /// The caller keeps copies (its lease goes here).
    lease: Option<LeaseRequest>,
    /// The object's version when the call was submitted.
    version: u64,
    read_only: bool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The key of the node's cookies: kept in the store (so that cookies
/// outlive a restart), else fresh for this process.
fn cookie_secret(node: &str, store: Option<&Store>) -> Vec<u8> {
    let fresh = || cookie::new_secret().map(|s| s.to_vec());
    let kept = match store {
        Some(store) => persist::secret(store, "cookie-key", fresh),
        None => fresh(),
    };
    kept.unwrap_or_else(|why| {
        // Without randomness, a key nobody else has is still better than none.
        tracing::warn!(node = %node, "cookie key: {why}; using a process-local key");
        let h = std::collections::hash_map::RandomState::new();
        use std::hash::BuildHasher;
        (0..4).flat_map(|i: u64| h.hash_one(i).to_be_bytes()).collect()
    })
}

/// A random number naming this process's life (the server's epoch).
fn boot_id() -> u64 {
    let mut b = [0u8; 8];
    match getrandom::fill(&mut b) {
        Ok(()) => u64::from_be_bytes(b),
        Err(_) => {
            use std::hash::BuildHasher;
            std::collections::hash_map::RandomState::new().hash_one(Instant::now())
        }
    }
}

fn timeout_of(ms: u64) -> Duration {
    match ms {
        0 => DEFAULT_CALL_TIMEOUT,
        ms => Duration::from_millis(ms).min(MAX_CALL_TIMEOUT),
    }
}

impl Objects {
    /// The object server of node `node`; with a store, its persistent
    /// adapters come back (eager ones with their servants active).
    pub fn open(node: &str, store: Option<Arc<Store>>, handle: tokio::runtime::Handle) -> Arc<Objects> {
        let cookie_key = CookieKey::from_secret(&cookie_secret(node, store.as_deref()));
        let objects = Arc::new(Objects {
            node: node.to_owned(),
            invocations: Default::default(),
            store: store.clone(),
            handle,
            peers: OnceLock::new(),
            runtime: OnceLock::new(),
            adapters: Mutex::new(BTreeMap::new()),
            moved: Mutex::new(HashMap::new()),
            rust_types: Mutex::new(HashMap::new()),
            next_call: AtomicU64::new(1),
            running: Mutex::new(HashMap::new()),
            remote: Mutex::new(HashMap::new()),
            inbound: Mutex::new(HashMap::new()),
            channels: Mutex::new(HashMap::new()),
            installs: Mutex::new(HashMap::new()),
            cookie_key,
            epoch: boot_id(),
            front: OnceLock::new(),
            recalls: Mutex::new(Default::default()),
            deferred: Mutex::new(HashMap::new()),
            agent_cache: Mutex::new(Default::default()),
            lease_sinks: Mutex::new(HashMap::new()),
            channel_bytes_out: AtomicU64::new(0),
        });
        if let Some(store) = &store {
            match persist::load(store, node) {
                Ok(stored) => {
                    for a in stored {
                        let count = a.objects.len();
                        match objects.restore_adapter(a) {
                            Ok(()) => tracing::info!(node = %node, "object adapter restored with {count} objects"),
                            Err(why) => tracing::warn!(node = %node, "stored object adapter not restored: {why}"),
                        }
                    }
                }
                Err(why) => tracing::warn!(node = %node, "stored objects not read: {why}"),
            }
        }
        let weak = Arc::downgrade(&objects);
        objects.handle.spawn(async move {
            loop {
                tokio::time::sleep(REAPER_PERIOD).await;
                match weak.upgrade() {
                    Some(o) => o.deactivate_idle(Instant::now()),
                    None => return,
                }
            }
        });
        objects
    }

    /// Tells the server how to reach other nodes (once, at node start).
    pub fn set_peers(&self, peers: Weak<dyn Peers>) {
        let _ = self.peers.set(peers);
    }

    /// Tells the server the node's runtime (once, at node start).
    pub fn set_runtime(&self, runtime: Weak<itinerant_core::Runtime>) {
        let _ = self.runtime.set(runtime);
    }

    /// An agent's `object call` (see `Router::object_call`): `words` are
    /// the reference, the method and its arguments. Moves are followed;
    /// the outcome goes to the runtime, which wakes the agent.
    pub fn call_for_agent(self: &Arc<Self>, agent: &str, ticket: u64, mut words: Vec<String>, timeout: Duration) {
        let agent_id = agent.to_owned();
        let (target, method) = (words.remove(0), words.remove(0));
        let call = Call {
            target,
            method,
            args: words,
            session: agent_id.clone(),
            timeout_ms: timeout.as_millis() as u64,
            ..Call::default()
        };
        let me = self.clone();
        self.handle.spawn(async move {
            let result = match me.call_cached(call).await {
                CallOutcome::Ok(r) => Ok(r),
                CallOutcome::Err(e) | CallOutcome::Unavailable(e) => Err(e),
                CallOutcome::Moved(to) => Err(format!("object moved to {to}")),
            };
            let runtime = me.runtime.get().and_then(Weak::upgrade);
            if let (Some(rt), Some(id)) = (runtime, itinerant_core::AgentId::parse(&agent_id)) {
                rt.object_answered(&id, ticket, result);
            }
        });
    }

    /// Makes Rust servant type `name` available to `object add --rust`.
    pub fn register_rust(&self, name: &str, factory: RustFactory) {
        lock(&self.rust_types).insert(name.to_owned(), factory);
    }

    /// Registers a new call channel; its token is hard to guess, since
    /// whoever knows it can cancel the channel's calls.
    fn open_channel(&self) -> (u64, channel::Flights) {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(self.next_call.fetch_add(1, Ordering::Relaxed));
        let token = h.finish();
        let flights = channel::Flights::default();
        lock(&self.channels).insert(token, ChannelEntry { flights: flights.clone(), out: None });
        (token, flights)
    }

    fn close_channel(&self, token: u64) {
        lock(&self.channels).remove(&token);
    }

    fn channel(&self, token: u64) -> Option<channel::Flights> {
        lock(&self.channels).get(&token).map(|c| c.flights.clone())
    }

    /// Tells the server how to write to channel `token`'s client.
    fn attach_writer(&self, token: u64, out: &tokio::sync::mpsc::UnboundedSender<ObjectWire>) {
        if let Some(c) = lock(&self.channels).get_mut(&token) {
            c.out = Some(out.downgrade());
        }
    }

    /// Queues a frame for channel `token`'s client; false if it is gone.
    fn to_channel(&self, token: u64, w: ObjectWire) -> bool {
        let out = lock(&self.channels).get(&token).and_then(|c| c.out.as_ref().and_then(|o| o.upgrade()));
        out.is_some_and(|o| o.send(w).is_ok())
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    fn send(&self, node: &str, w: &ObjectWire) -> Result<(), String> {
        let peers = self.peers.get().and_then(Weak::upgrade).ok_or("this node has no links")?;
        peers.send(node, w.frame())
    }

    fn adapter(&self, name: &str) -> Result<Arc<Adapter>, String> {
        lock(&self.adapters).get(name).cloned().ok_or_else(|| format!("no adapter \"{name}\" on node {}", self.node))
    }

    // ----- management -----------------------------------------------------

    /// Serves a client's object request. Calls and moves wait for their
    /// answer; the rest touch the store on the blocking pool.
    pub async fn handle(self: &Arc<Self>, req: ObjectRequest) -> Result<ObjectReply, String> {
        match req {
            ObjectRequest::Call { call, follow } => Ok(ObjectReply::Called(self.call(call, follow).await)),
            ObjectRequest::ObjectMove { adapter, id, node } => {
                self.move_object(&adapter, &id, &node).await.map(ObjectReply::Reference)
            }
            ObjectRequest::OpenChannel | ObjectRequest::OpenUrgent { .. } => {
                Err("a call channel is opened by the connection".into())
            }
            other => {
                let me = self.clone();
                tokio::task::spawn_blocking(move || me.manage(other)).await.map_err(|e| e.to_string())?
            }
        }
    }

    fn manage(&self, req: ObjectRequest) -> Result<ObjectReply, String> {
        match req {
            ObjectRequest::AdapterCreate { name, policy } => {
                self.create_adapter(&name, &policy)?;
                Ok(ObjectReply::Done)
            }
            ObjectRequest::AdapterList => Ok(ObjectReply::Adapters(self.adapter_rows())),
            ObjectRequest::AdapterRemove { name } => {
                self.remove_adapter(&name)?;
                Ok(ObjectReply::Done)
            }
            ObjectRequest::ObjectAdd { adapter, id, body } => {
                self.add_object(&adapter, &id, body, Vec::new())?;
                Ok(ObjectReply::Reference(ObjectRef::new(&self.node, &adapter, &id)?.to_string()))
            }
            ObjectRequest::ObjectList { adapter } => Ok(ObjectReply::Objects(self.object_rows(adapter.as_deref())?)),
            ObjectRequest::ObjectRemove { adapter, id } => {
                self.remove_object(&adapter, &id)?;
                Ok(ObjectReply::Done)
            }
            _ => Err("not a management request".into()),
        }
    }

    pub fn create_adapter(&self, name: &str, policy: &str) -> Result<(), String> {
        check_name("adapter", name)?;
        let policy = Policy::parse(policy)?;
        {
            let adapters = lock(&self.adapters);
            if adapters.contains_key(name) {
                return Err(format!("adapter \"{name}\" exists on node {}", self.node));
            }
            if adapters.len() >= MAX_ADAPTERS {
                return Err(format!("node {} has {MAX_ADAPTERS} adapters already", self.node));
            }
        }
        if policy.lifespan == Lifespan::Persistent {
            let store = self.store.as_ref().ok_or("a persistent adapter needs a node with a data directory")?;
            persist::put_adapter(store, name, &policy.to_string())?;
        }
        lock(&self.adapters).insert(name.to_owned(), Arc::new(Adapter::new(name, policy, false)));
        Ok(())
    }

    pub fn remove_adapter(&self, name: &str) -> Result<(), String> {
        let adapter = lock(&self.adapters).remove(name).ok_or_else(|| format!("no adapter \"{name}\""))?;
        if let (Lifespan::Persistent, Some(store)) = (adapter.policy.lifespan, &self.store) {
            persist::remove_adapter(store, name)?;
        }
        Ok(())
    }

    fn restore_adapter(&self, stored: persist::StoredAdapter) -> Result<(), String> {
        let policy = Policy::parse(&stored.policy)?;
        lock(&self.adapters).insert(stored.name.clone(), Arc::new(Adapter::new(&stored.name, policy, true)));
        let adapter = self.adapter(&stored.name)?;
        for (id, body, states) in stored.objects {
            adapter.install(self, &id, body, &states, false)?;
        }
        Ok(())
    }

    /// Adds object `id` made of `body` (with servant states, when it moved
    /// here) to an adapter.
    pub fn add_object(&self, adapter: &str, id: &str, body: Body, states: States) -> Result<(), String> {
        check_name("object", id)?;
        let a = self.adapter(adapter)?;
        {
            let objects = lock(&a.objects);
            if objects.contains_key(id) {
                return Err(format!("object \"{id}\" exists in adapter \"{adapter}\""));
            }
            if objects.len() >= MAX_OBJECTS {
                return Err(format!("adapter \"{adapter}\" has {MAX_OBJECTS} objects already"));
            }
        }
        // A body that cannot make a servant is refused now, not at the
        // first call.
        if states.is_empty() {
            self.make_servant(&body, None)?;
        }
        if let (Lifespan::Persistent, Some(store)) = (a.policy.lifespan, &self.store) {
            persist::put_object(store, adapter, id, &body, &states)?;
        }
        a.install(self, id, body, &states, true)?;
        lock(&self.moved).remove(&(adapter.to_owned(), id.to_owned()));
        Ok(())
    }

    pub fn remove_object(&self, adapter: &str, id: &str) -> Result<(), String> {
        let a = self.adapter(adapter)?;
        lock(&a.objects).remove(id).ok_or_else(|| format!("no object \"{id}\" in adapter \"{adapter}\""))?;
        {
            let mut live = lock(&a.live);
            live.servants.retain(|k, _| k.object != id);
            live.activations.forget_object(id);
        }
        if let (Lifespan::Persistent, Some(store)) = (a.policy.lifespan, &self.store) {
            persist::remove_object(store, adapter, id)?;
        }
        Ok(())
    }

    fn adapter_rows(&self) -> Vec<AdapterRow> {
        lock(&self.adapters)
            .values()
            .map(|a| {
                let sched = lock(&a.sched);
                AdapterRow {
                    name: a.name.clone(),
                    policy: a.policy.to_string(),
                    objects: lock(&a.objects).len() as u64,
                    running: sched.running() as u64,
                    queued: sched.queued() as u64,
                }
            })
            .collect()
    }

    fn object_rows(&self, only: Option<&str>) -> Result<Vec<ObjectRow>, String> {
        let adapters: Vec<Arc<Adapter>> = match only {
            Some(name) => vec![self.adapter(name)?],
            None => lock(&self.adapters).values().cloned().collect(),
        };
        let mut rows = Vec::new();
        for a in adapters {
            let live = lock(&a.live);
            for (id, o) in lock(&a.objects).iter() {
                rows.push(ObjectRow {
                    reference: format!("itin://{}/{}/{id}", self.node, a.name),
                    kind: match &o.body {
                        Body::Tcl(_) => "tcl".into(),
                        Body::Rust(t) => format!("rust:{t}"),
                    },
                    active: live.servants.keys().filter(|k| &k.object == id).count() as u64,
                    activations: o.activations,
                    calls: o.calls,
                });
            }
        }
        Ok(rows)
    }

    fn make_servant(&self, body: &Body, state: Option<&[u8]>) -> Result<Box<dyn Servant>, String> {
        match body {
            Body::Tcl(script) => Ok(Box::new(match state {
                Some(s) => TclServant::restore(s)?,
                None => TclServant::new(script)?,
            })),
            Body::Rust(name) => {
                let factory = lock(&self.rust_types)
                    .get(name)
                    .cloned()
                    .ok_or_else(|| format!("no Rust servant type \"{name}\""))?;
                Ok(factory())
            }
        }
    }

    /// Deactivates the `on-demand` servants idle long enough (their state,
    /// for persistent adapters, is in the store already).
    fn deactivate_idle(&self, now: Instant) {
        let adapters: Vec<Arc<Adapter>> = lock(&self.adapters).values().cloned().collect();
        for a in adapters {
            if let Activation::OnDemand { idle } = a.policy.activation {
                let mut live = lock(&a.live);
                for key in live.activations.take_idle(now, idle) {
                    live.servants.remove(&key);
                }
            }
        }
    }

    // ----- calls ------------------------------------------------------------

    /// Makes a call and answers it through `reply`; returns the call's
    /// number (for `cancel`).
    pub fn invoke(self: &Arc<Self>, call: Call, reply: Reply) -> u64 {
        self.invoke_answered(call, Box::new(move |outcome, _| reply(outcome)))
    }

    /// As `invoke`, answering with the cookie (`per-call` adapters).
    pub fn invoke_answered(self: &Arc<Self>, call: Call, reply: Answer) -> u64 {
        let number = self.next_call.fetch_add(1, Ordering::Relaxed);
        let target = match ObjectRef::parse(&call.target) {
            Ok(r) => r,
            Err(why) => {
                reply(CallOutcome::Err(why), None);
                return number;
            }
        };
        if target.node == self.node {
            self.call_local(number, &target, call, reply, None);
        } else {
            self.call_remote(number, &target.node, call, reply, None);
        }
        number
    }

    /// As `invoke_answered` for a caller that keeps copies (`holder`):
    /// a read-only method's answer leaves its lease in `sink`. Only this
    /// node's objects; others are called without a lease.
    pub(crate) fn invoke_leased(self: &Arc<Self>, call: Call, holder: Holder, sink: LeaseSink, reply: Answer) -> u64 {
        let number = self.next_call.fetch_add(1, Ordering::Relaxed);
        match ObjectRef::parse(&call.target) {
            Ok(target) if target.node == self.node => {
                self.call_local(number, &target, call, reply, Some(LeaseRequest { holder, sink }))
            }
            Ok(target) => self.call_remote(number, &target.node, call, reply, None),
            Err(why) => reply(CallOutcome::Err(why), None),
        }
        number
    }

    /// A call, answered when it ends; with `follow`, moves are followed
    /// (at most `MAX_FOLLOW`) instead of answered.
    pub async fn call(self: &Arc<Self>, mut call: Call, follow: bool) -> CallOutcome {
        for _ in 0..=MAX_FOLLOW {
            let (tx, rx) = tokio::sync::oneshot::channel();
            self.invoke(call.clone(), Box::new(move |o| drop(tx.send(o))));
            let outcome = rx.await.unwrap_or_else(|_| CallOutcome::Err("call dropped".into()));
            match outcome {
                CallOutcome::Moved(to) if follow => call.target = to,
                other => return other,
            }
        }
        CallOutcome::Err(format!("object {} moved more than {MAX_FOLLOW} times", call.target))
    }

    /// Cancels call `number` (local: the servant stops within one slice,
    /// a queued call is answered at once; remote: the cancel follows it).
    pub fn cancel(&self, number: u64) {
        let local = lock(&self.running).get(&number).cloned();
        if let Some((flag, adapter)) = local {
            flag.store(true, Ordering::Relaxed);
            if let Ok(a) = self.adapter(&adapter) {
                let queued = lock(&a.sched).remove_queued(|j| j.number == number);
                if let Some(job) = queued {
                    lock(&self.running).remove(&number);
                    (job.reply)(CallOutcome::Err("call cancelled".into()), None);
                }
            }
            return;
        }
        let node = lock(&self.remote).get(&number).map(|(n, _)| n.clone());
        if let Some(node) = node {
            let _ = self.send(&node, &ObjectWire::Cancel { call: number });
        }
    }

    fn call_local(
        self: &Arc<Self>,
        number: u64,
        target: &ObjectRef,
        call: Call,
        reply: Answer,
        lease: Option<LeaseRequest>,
    ) {
        let reply = self.invocations.counting(&target.adapter, reply);
        if self.front.get().is_some_and(|f| f.mode_of(&target.adapter).is_some()) {
            return self.relay(number, target.clone(), call, reply, Vec::new());
        }
        let moved = lock(&self.moved).get(&(target.adapter.clone(), target.id.clone())).cloned();
        if let Some(node) = moved {
            return reply(CallOutcome::Moved(target.on(&node).to_string()), None);
        }
        let a = match self.adapter(&target.adapter) {
            Ok(a) => a,
            Err(why) => return reply(CallOutcome::Unavailable(why), None),
        };
        let read_only = match lock(&a.objects).get(&target.id) {
            Some(o) => o.read_only.contains(&call.method),
            None => {
                let why = format!("no object \"{}\" in adapter \"{}\"", target.id, a.name);
                return reply(CallOutcome::Unavailable(why), None);
            }
        };
        let version = a.tracker.as_ref().map_or(0, |t| lock(t).version(&target.id));
        let ctl = CallControl::new(timeout_of(call.timeout_ms));
        lock(&self.running).insert(number, (ctl.cancel.clone(), a.name.clone()));
        let job = Job {
            number,
            object: target.id.clone(),
            session: call.session,
            method: call.method,
            args: call.args,
            cookie: call.cookie,
            ctl,
            reply,
            lease,
            version,
            read_only,
        };
        let submitted = lock(&a.sched).submit(&target.id, job);
        match submitted {
            Ok(start) => self.start(&a, start),
            Err(job) => {
                lock(&self.running).remove(&number);
                (job.reply)(CallOutcome::Unavailable(format!("adapter \"{}\" is busy", a.name)), None);
            }
        }
    }

    fn start(self: &Arc<Self>, a: &Arc<Adapter>, jobs: Vec<(String, Job)>) {
        for (_, mut job) in jobs {
            if a.policy.organisation == Organisation::Threaded {
                let (me, a) = (self.clone(), a.clone());
                self.handle.spawn_blocking(move || me.run(&a, job));
                continue;
            }
            // Iterative and event-driven: the adapter's one thread.
            let why = match engine::sender(self, a) {
                Ok(tx) => match tx.send(job) {
                    Ok(()) => continue,
                    Err(refused) => {
                        job = refused.0;
                        "the adapter's thread has ended".to_string()
                    }
                },
                Err(why) => why,
            };
            self.answer_job(a, job, (Err(why), None));
        }
    }

    /// Runs one started call on this thread to its end, answers it, and
    /// starts the calls its end lets start.
    fn run(self: &Arc<Self>, a: &Arc<Adapter>, job: Job) {
        let done = match self.prepare(a, &job) {
            Ok(mut ready) => {
                let result = ready.servant.with(|s| s.call(&job.method, &job.args, &job.ctl));
                self.conclude(a, ready, result)
            }
            Err(refused) => refused,
        };
        self.answer_job(a, job, done);
    }

    /// Answers a call that ended, and starts the calls its end lets start.
    fn answer_job(self: &Arc<Self>, a: &Arc<Adapter>, job: Job, (result, cookie): Ended) {
        let ok = result.is_ok();
        let outcome = match result {
            Ok(r) => CallOutcome::Ok(r),
            Err(e) => CallOutcome::Err(e),
        };
        lock(&self.running).remove(&job.number);
        let reply = job.reply;
        let deliver: Box<dyn FnOnce() + Send> = Box::new(move || reply(outcome, cookie));
        match &a.tracker {
            Some(tracker) => {
                let read = caching::Read { read_only: job.read_only, ok, version: job.version, lease: job.lease };
                self.track(a, tracker, &job.object, read, deliver)
            }
            None => deliver(),
        }
        let next = lock(&a.sched).finished(&job.object);
        self.start(a, next);
    }

    /// The object's body, counting the call.
    fn body_for_call(&self, a: &Adapter, job: &Job) -> Result<Body, String> {
        job.ctl.check()?;
        let mut objects = lock(&a.objects);
        let o = objects.get_mut(&job.object).ok_or_else(|| format!("object \"{}\" was removed", job.object))?;
        if o.moving {
            return Err(format!("object \"{}\" is moving; call again", job.object));
        }
        o.calls += 1;
        Ok(o.body.clone())
    }

    /// The servant that will serve a call: a kept one (activated if need
    /// be), or for `per-call` a fresh one starting from the state in the
    /// client's cookie. A refused cookie fails the call and tells the
    /// client to drop it.
    fn prepare(&self, a: &Adapter, job: &Job) -> Result<Prepared, Ended> {
        let Some(key) = a.policy.servant_key(&job.object, &job.session) else {
            let object = format!("{}/{}", a.name, job.object);
            let mut state = String::new();
            if !job.cookie.is_empty() {
                state = self
                    .cookie_key
                    .open(&object, &job.cookie, cookie::now_ms())
                    .map_err(|refused| (Err(refused.to_string()), Some(Vec::new())))?;
            }
            let body = self.body_for_call(a, job).map_err(|why| (Err(why), None))?;
            let mut servant = self.make_servant(&body, None).map_err(|why| (Err(why), None))?;
            servant.enter_cookie(&state);
            return Ok(Prepared { servant: Slot::Fresh(servant), key: None, object });
        };
        let body = self.body_for_call(a, job).map_err(|why| (Err(why), None))?;
        let servant = {
            let mut live = lock(&a.live);
            let fresh = live.activations.begin(&key, Instant::now());
            match live.servants.get(&key) {
                Some(s) if !fresh => s.clone(),
                _ => match self.activate(a, &key, &body) {
                    Ok(s) => {
                        live.servants.insert(key.clone(), s.clone());
                        s
                    }
                    Err(why) => {
                        live.activations.end(&key, Instant::now());
                        return Err((Err(why), None));
                    }
                },
            }
        };
        Ok(Prepared { servant: Slot::Kept(servant), key: Some(key), object: String::new() })
    }

    /// After a call: a kept servant's state is stored (`persistent`) and
    /// it may be deactivated when idle; a `per-call` servant's state goes
    /// into the next cookie (a failed call leaves the client's as it was).
    fn conclude(&self, a: &Adapter, mut done: Prepared, result: Result<String, String>) -> Ended {
        let Some(key) = done.key else {
            let state = match (&result, done.servant.with(|s| s.leave_cookie())) {
                (Ok(_), Some(state)) => state,
                _ => return (result, None),
            };
            return match state.is_empty() {
                true => (result, Some(Vec::new())),
                false => match self.cookie_key.seal(&done.object, &state, cookie::now_ms()) {
                    Ok(c) => (result, Some(c)),
                    Err(why) => (Err(why), None),
                },
            };
        };
        if let (Lifespan::Persistent, Some(store)) = (a.policy.lifespan, &self.store) {
            if let Some(state) = done.servant.with(|s| s.state()) {
                if let Err(why) = persist::put_state(store, &a.name, &key.object, &key.session, &state) {
                    tracing::warn!(node = %self.node, "state of {}/{} not stored: {why}", a.name, key.object);
                }
            }
        }
        lock(&a.live).activations.end(&key, Instant::now());
        (result, None)
    }

    /// A servant for `key`: from its stored state (persistent adapters),
    /// else fresh from the object's body.
    fn activate(&self, a: &Adapter, key: &ServantKey, body: &Body) -> Result<SharedServant, String> {
        let state = match (a.policy.lifespan, &self.store) {
            (Lifespan::Persistent, Some(store)) => persist::state(store, &a.name, &key.object, &key.session)?,
            _ => None,
        };
        let servant = self.make_servant(body, state.as_deref())?;
        if let Some(o) = lock(&a.objects).get_mut(&key.object) {
            o.activations += 1;
        }
        Ok(Arc::new(Mutex::new(servant)))
    }

    /// A call to another node's object; with `sink`, as a caller that
    /// keeps copies (the answer's lease goes there).
    fn call_remote(self: &Arc<Self>, number: u64, node: &str, call: Call, reply: Answer, sink: Option<LeaseSink>) {
        let timeout = timeout_of(call.timeout_ms);
        let body = Call { timeout_ms: timeout.as_millis() as u64, ..call };
        lock(&self.remote).insert(number, (node.to_owned(), reply));
        let w = match sink {
            Some(sink) => {
                lock(&self.lease_sinks).insert(number, sink);
                ObjectWire::CallCaching { call: number, body }
            }
            None => ObjectWire::Call { call: number, body },
        };
        if let Err(why) = self.send(node, &w) {
            lock(&self.lease_sinks).remove(&number);
            let waiting = lock(&self.remote).remove(&number);
            if let Some((_, reply)) = waiting {
                reply(CallOutcome::Unavailable(format!("cannot reach node {node}: {why}")), None);
            }
            return;
        }
        // The answer may never come (the node crashed): give up a little
        // after the deadline the other node works to.
        let me = Arc::downgrade(self);
        let node = node.to_owned();
        self.handle.spawn(async move {
            tokio::time::sleep(timeout + Duration::from_millis(500)).await;
            let Some(me) = me.upgrade() else { return };
            lock(&me.lease_sinks).remove(&number);
            let waiting = lock(&me.remote).remove(&number);
            if let Some((_, reply)) = waiting {
                reply(CallOutcome::Unavailable(format!("node {node} did not answer within {timeout:?}")), None);
            }
        });
    }

    // ----- moves ------------------------------------------------------------

    /// Moves an object to `node`: its body and servant states go there;
    /// here it leaves a forwarding entry. Returns the new reference.
    pub async fn move_object(self: &Arc<Self>, adapter: &str, id: &str, node: &str) -> Result<String, String> {
        check_name("node", node)?;
        if node == self.node {
            return Err(format!("object \"{id}\" is on node {node} already"));
        }
        let a = self.adapter(adapter)?;
        let body = {
            let mut objects = lock(&a.objects);
            let o = objects.get_mut(id).ok_or_else(|| format!("no object \"{id}\" in adapter \"{adapter}\""))?;
            if o.moving {
                return Err(format!("object \"{id}\" is moving already"));
            }
            o.moving = true;
            o.body.clone()
        };
        let (me, a2, id2) = (self.clone(), a.clone(), id.to_owned());
        let states = tokio::task::spawn_blocking(move || me.states_of(&a2, &id2)).await.map_err(|e| e.to_string());
        let result = match states.and_then(|s| s) {
            Ok(states) => self.install_on(node, &a, id, body, states).await,
            Err(why) => Err(why),
        };
        match result {
            Ok(()) => {
                let (me, adapter2, id2) = (self.clone(), adapter.to_owned(), id.to_owned());
                tokio::task::spawn_blocking(move || me.remove_object(&adapter2, &id2))
                    .await
                    .map_err(|e| e.to_string())??;
                lock(&self.moved).insert((adapter.to_owned(), id.to_owned()), node.to_owned());
                Ok(ObjectRef::new(node, adapter, id)?.to_string())
            }
            Err(why) => {
                if let Some(o) = lock(&a.objects).get_mut(id) {
                    o.moving = false;
                }
                Err(why)
            }
        }
    }

    /// The states of an object's servants, by session: the active ones
    /// (each taken after its running call ends), and for a persistent
    /// adapter the stored ones of inactive servants.
    fn states_of(&self, a: &Adapter, id: &str) -> Result<States, String> {
        let servants: Vec<(ServantKey, SharedServant)> = lock(&a.live)
            .servants
            .iter()
            .filter(|(k, _)| k.object == id)
            .map(|(k, s)| (k.clone(), s.clone()))
            .collect();
        let mut states: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        if let (Lifespan::Persistent, Some(store)) = (a.policy.lifespan, &self.store) {
            for (_, _, kept) in persist::load(store, &self.node)?
                .into_iter()
                .filter(|s| s.name == a.name)
                .flat_map(|s| s.objects)
                .filter(|(oid, _, _)| oid == id)
            {
                states.extend(kept);
            }
        }
        for (key, servant) in servants {
            if let Some(state) = lock(&servant).state() {
                states.insert(key.session, state);
            }
        }
        Ok(states.into_iter().collect())
    }

    async fn install_on(&self, node: &str, a: &Adapter, id: &str, body: Body, states: States) -> Result<(), String> {
        let ticket = self.next_call.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = tokio::sync::oneshot::channel();
        lock(&self.installs).insert(ticket, tx);
        let w = ObjectWire::Install {
            ticket,
            adapter: a.name.clone(),
            policy: a.policy.to_string(),
            id: id.to_owned(),
            body,
            states,
        };
        let answer = match self.send(node, &w) {
            Ok(()) => match tokio::time::timeout(MOVE_TIMEOUT, rx).await {
                Ok(Ok(result)) => result,
                _ => Err(format!("node {node} did not take object \"{id}\" within {MOVE_TIMEOUT:?}")),
            },
            Err(why) => Err(format!("cannot reach node {node}: {why}")),
        };
        lock(&self.installs).remove(&ticket);
        answer
    }

    /// An object moving here: its adapter is created (same policy) if this
    /// node has none of that name.
    fn install_here(&self, adapter: &str, policy: &str, id: &str, body: Body, states: States) -> Result<(), String> {
        if self.adapter(adapter).is_err() {
            self.create_adapter(adapter, policy)?;
        }
        self.add_object(adapter, id, body, states)
    }

    // ----- frames from other nodes ------------------------------------------

    /// An object frame from node `from`. A frame that does not decode is
    /// an error (the link closes, as for any bad frame).
    pub fn on_frame(self: &Arc<Self>, from: &str, frame: &Frame) -> Result<(), String> {
        let w = ObjectWire::decode(frame.kind, &frame.payload).map_err(|e| e.to_string())?;
        match w {
            ObjectWire::Call { call, body } => self.call_from_node(from, call, body, None),
            ObjectWire::CallCaching { call, body } => {
                let lease = LeaseRequest { holder: Holder::Node(from.to_owned()), sink: LeaseSink::default() };
                self.call_from_node(from, call, body, Some(lease))
            }
            ObjectWire::ReplyLease { call, outcome, lease_ms, epoch } => {
                let sink = lock(&self.lease_sinks).remove(&call);
                if let Some(sink) = sink {
                    *lock(&sink) = Some((Duration::from_millis(lease_ms), epoch));
                }
                let waiting = lock(&self.remote).remove(&call);
                if let Some((_, reply)) = waiting {
                    reply(outcome, None);
                }
            }
            ObjectWire::Invalidate { seq, object } => {
                lock(&self.agent_cache).invalidate(&object);
                let _ = self.send(from, &ObjectWire::InvalidateAck { seq });
            }
            ObjectWire::InvalidateAck { seq } => self.invalidation_acked(seq, &Holder::Node(from.to_owned())),
            ObjectWire::Probe { ticket } => {
                let load = self.load();
                let _ = self.send(from, &ObjectWire::ProbeAck { ticket, load, epoch: self.epoch });
            }
            ObjectWire::ProbeAck { ticket, load, .. } => {
                if let Some(front) = self.front.get() {
                    front.probe_answered(from, ticket, load);
                }
            }
            ObjectWire::HandOff { .. } => return Err("a handoff travels only to clients".into()),
            ObjectWire::Reply { call, outcome } => {
                let waiting = lock(&self.remote).remove(&call);
                if let Some((_, reply)) = waiting {
                    lock(&self.lease_sinks).remove(&call);
                    reply(outcome, None);
                }
            }
            ObjectWire::ReplyCookie { call, outcome, cookie } => {
                let waiting = lock(&self.remote).remove(&call);
                if let Some((_, reply)) = waiting {
                    lock(&self.lease_sinks).remove(&call);
                    reply(outcome, Some(cookie));
                }
            }
            ObjectWire::Cancel { call } => {
                let ours = lock(&self.inbound).get(&(from.to_owned(), call)).copied();
                if let Some(number) = ours {
                    self.cancel(number);
                }
            }
            ObjectWire::Install { ticket, adapter, policy, id, body, states } => {
                let (me, peer) = (self.clone(), from.to_owned());
                self.handle.spawn_blocking(move || {
                    let result = me.install_here(&adapter, &policy, &id, body, states);
                    if let Err(why) = me.send(&peer, &ObjectWire::Installed { ticket, result }) {
                        tracing::warn!(node = %me.node, "install answer to {peer} not sent: {why}");
                    }
                });
            }
            ObjectWire::Installed { ticket, result } => {
                if let Some(tx) = lock(&self.installs).remove(&ticket) {
                    let _ = tx.send(result);
                }
            }
        }
        Ok(())
    }

    /// Calls and moves running or queued here (what a probe answer says).
    fn load(&self) -> u64 {
        lock(&self.adapters)
            .values()
            .map(|a| {
                let sched = lock(&a.sched);
                (sched.running() + sched.queued()) as u64
            })
            .sum()
    }

    /// A call from node `from` (its number `call`); with `lease`, for a
    /// node that keeps copies for its agents.
    fn call_from_node(self: &Arc<Self>, from: &str, call: u64, body: Call, lease: Option<LeaseRequest>) {
        let (me, peer) = (Arc::downgrade(self), from.to_owned());
        let sink = lease.as_ref().map(|l| l.sink.clone());
        let answer: Answer = Box::new(move |outcome, cookie| {
            if let Some(me) = me.upgrade() {
                lock(&me.inbound).remove(&(peer.clone(), call));
                let leased = sink.and_then(|s| lock(&s).take());
                let w = match leased {
                    Some((d, epoch)) => ObjectWire::ReplyLease { call, outcome, lease_ms: d.as_millis() as u64, epoch },
                    None => ObjectWire::answer(call, outcome, cookie),
                };
                if let Err(why) = me.send(&peer, &w) {
                    tracing::warn!(node = %me.node, "object call answer to {peer} not sent: {why}");
                }
            }
        });
        // Only objects of this node: a call is never passed on twice.
        match ObjectRef::parse(&body.target) {
            Ok(r) if r.node == self.node => {
                let number = self.next_call.fetch_add(1, Ordering::Relaxed);
                lock(&self.inbound).insert((from.to_owned(), call), number);
                self.call_local(number, &r, body, answer, lease);
            }
            Ok(r) => answer(CallOutcome::Unavailable(format!("object {r} is not on node {}", self.node)), None),
            Err(why) => answer(CallOutcome::Err(why), None),
        }
    }
}

impl Adapter {
    /// `restored`: from the store at start (a strict adapter's grace).
    fn new(name: &str, policy: Policy, restored: bool) -> Adapter {
        Adapter {
            tracker: policy.caching.map(|c| Mutex::new(tracking::Tracker::new(c, Instant::now(), restored))),
            name: name.to_owned(),
            policy,
            objects: Mutex::new(BTreeMap::new()),
            sched: Mutex::new(Scheduler::new(policy.threading)),
            live: Mutex::new(Live::default()),
            engine: Mutex::new(None),
        }
    }

    /// Puts an object in the table; its servants come to life now from
    /// `states` (a move) or, for `eager` single-instance adapters, fresh.
    fn install(
        &self,
        objects: &Objects,
        id: &str,
        body: Body,
        states: &[(String, Vec<u8>)],
        fresh: bool,
    ) -> Result<(), String> {
        let mut live = lock(&self.live);
        let mut activations = 0;
        let now = Instant::now();
        if self.policy.instance != Instance::PerCall {
            let eager = self.policy.activation == Activation::Eager;
            for (session, state) in states {
                // A persistent adapter activates from the store when needed.
                if self.policy.lifespan == Lifespan::Persistent && !eager {
                    continue;
                }
                let key = ServantKey { object: id.to_owned(), session: session.clone() };
                live.servants.insert(key.clone(), Arc::new(Mutex::new(objects.make_servant(&body, Some(state))?)));
                live.activations.activate(&key, now);
                activations += 1;
            }
            let single = ServantKey { object: id.to_owned(), session: String::new() };
            if eager && self.policy.instance == Instance::Single && !live.servants.contains_key(&single) {
                let state = match (fresh, self.policy.lifespan, &objects.store) {
                    (false, Lifespan::Persistent, Some(store)) => persist::state(store, &self.name, id, "")?,
                    _ => None,
                };
                live.servants
                    .insert(single.clone(), Arc::new(Mutex::new(objects.make_servant(&body, state.as_deref())?)));
                live.activations.activate(&single, now);
                activations += 1;
            }
        }
        // Which methods are read-only, asked of a servant once.
        let read_only = match self.policy.caching {
            Some(_) => objects.make_servant(&body, None).map(|s| s.read_only_methods()).unwrap_or_default(),
            None => Vec::new(),
        };
        let read_only = Arc::new(read_only);
        lock(&self.objects)
            .insert(id.to_owned(), ObjectState { body, read_only, moving: false, activations, calls: 0 });
        Ok(())
    }
}
