//! The cluster directory on etcd (`--cluster etcd://HOST:PORT,...`); keys
//! and values in `records.rs`.
//!
//! One task per node keeps a session: connect, grant a lease of
//! `lease_ttl`, register the node under it (refused if an operator forgot
//! the node), write this node's agents again (locations by
//! compare-and-swap, DF entries under the lease, published libraries),
//! read members, forgotten nodes, DF entries and the locations of this
//! node's own agents in one transaction, then watch those prefixes from
//! the revision it read, while it renews the lease every third of its
//! life and applies the writes the runtime queued, one at a time, in
//! order. Any failure (etcd unreachable, a call past `CALL_TIMEOUT`, the
//! lease gone, a watch cancelled) ends the session: it is logged, shown
//! in `itin nodes`, and a new one starts after a backoff (0.25 s doubling
//! to 5 s). Writes queued meanwhile are dropped; the next session writes
//! the node's state as it is then. The runtime is never made to wait:
//! every `Directory` method only queues.
//!
//! Routing is unchanged: messages go to the agent's home node, which
//! learns locations from its watch (instead of `Wire::Location`) and
//! forwards; every node still keeps forwarding pointers, so a late watch
//! costs hops, never messages.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use etcd_client::{
    Client, Compare, CompareOp, ConnectOptions, EventType, GetOptions, PutOptions, Txn, TxnOp, TxnOpResponse,
    WatchOptions,
};
use itinerant_core::df::Description;
use itinerant_core::{AgentId, Library, Requirement};
use tokio::sync::mpsc;

use super::records::{self, Keys, Location, Member};
use super::{BoxFuture, ClusterStatus, Directory, EtcdConfig, Events, MemberRow, Net};
use crate::net::frame::Frame;

/// Longest wait for any one etcd call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// Writes queued for etcd before more are dropped (the next session
/// writes the node's state again).
const QUEUE: usize = 65_536;
/// How often the node's registration is rewritten with its load.
const LOAD_EVERY: Duration = Duration::from_secs(5);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Writes applied side by side, each lane in order.
const LANES: usize = 16;
/// Writes queued in one lane.
const LANE_QUEUE: usize = 4096;

/// A write the runtime asked for.
enum Op {
    Here(AgentId, u64),
    Ended(AgentId),
    Services(AgentId, Vec<Description>),
    Library(Library),
}

impl Op {
    /// The lane of this write: by agent, so an agent's writes stay in order.
    fn lane(&self) -> usize {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        match self {
            Op::Here(a, _) | Op::Ended(a) | Op::Services(a, _) => a.as_str().hash(&mut h),
            Op::Library(lib) => lib.name.hash(&mut h),
        }
        (h.finish() % LANES as u64) as usize
    }
}

/// The tasks of a session, stopped when it ends.
struct Tasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Tasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

pub struct Etcd {
    node: String,
    /// Where the node listens (registered for its peers).
    listen: SocketAddr,
    /// Itself, for the tasks it spawns.
    me: OnceLock<Weak<Etcd>>,
    config: EtcdConfig,
    keys: Keys,
    queue: mpsc::Sender<Op>,
    inbox: Mutex<Option<mpsc::Receiver<Op>>>,
    handle: tokio::runtime::Handle,
    events: OnceLock<Arc<dyn Events>>,
    /// The client of the session in force (for requests made outside it).
    client: Mutex<Option<Client>>,
    view: Mutex<View>,
    /// etcd calls made (the simulation's directory operations).
    calls: AtomicU64,
    /// Writes dropped because the queue was full.
    dropped: AtomicU64,
    lease: Mutex<Option<i64>>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// What this node knows from etcd.
#[derive(Default)]
struct View {
    health: Option<String>,
    members: BTreeMap<String, (Member, bool)>,
    forgotten: BTreeSet<String>,
    /// DF entries of other nodes' agents: agent → node → entries.
    services: HashMap<AgentId, BTreeMap<String, Vec<Description>>>,
}

/// The result of a location write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocationWrite {
    Written,
    /// A record at this epoch or later (or a lost one) is there.
    Refused(Option<Location>),
}

async fn timed<T, E: std::fmt::Display>(
    what: &str,
    call: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("etcd {what}: {e}")),
        Err(_) => Err(format!("etcd {what}: no answer within {CALL_TIMEOUT:?}")),
    }
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or("")
}

impl Etcd {
    /// The directory, not yet connected (`start`). Call in a tokio runtime.
    pub fn new(node: &str, listen: SocketAddr, config: EtcdConfig) -> Arc<Etcd> {
        let (queue, inbox) = mpsc::channel(QUEUE);
        let etcd = Arc::new(Etcd {
            node: node.to_owned(),
            listen,
            me: OnceLock::new(),
            keys: Keys::new(&config.namespace),
            config,
            queue,
            inbox: Mutex::new(Some(inbox)),
            handle: tokio::runtime::Handle::current(),
            events: OnceLock::new(),
            client: Mutex::new(None),
            view: Mutex::new(View { health: Some("connecting".into()), ..View::default() }),
            calls: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            lease: Mutex::new(None),
            task: Mutex::new(None),
        });
        let _ = etcd.me.set(Arc::downgrade(&etcd));
        etcd
    }

    async fn connect(&self) -> Result<Client, String> {
        let options = ConnectOptions::new()
            .with_connect_timeout(CALL_TIMEOUT)
            .with_timeout(CALL_TIMEOUT)
            .with_keep_alive(Duration::from_secs(2), CALL_TIMEOUT);
        timed("connect", Client::connect(self.config.endpoints.clone(), Some(options))).await
    }

    fn count(&self, n: u64) {
        self.calls.fetch_add(n, Ordering::Relaxed);
    }

    /// Refuses to start a node an operator forgot (its agents were
    /// reported lost). If etcd cannot be reached now, the node starts and
    /// its session checks again before it registers.
    pub async fn refuse_if_forgotten(&self) -> Result<(), String> {
        let check = async {
            let mut client = self.connect().await?;
            self.count(1);
            timed("get", client.get(self.keys.forgotten(&self.node), None)).await
        };
        match check.await {
            Ok(found) if !found.kvs().is_empty() => Err(self.forgotten_message()),
            Ok(_) => Ok(()),
            Err(why) => {
                tracing::warn!(node = %self.node, "cannot check the cluster directory at start ({why}); retrying in the background");
                Ok(())
            }
        }
    }

    fn forgotten_message(&self) -> String {
        format!(
            "node {} was forgotten by an operator (itin node forget) and its agents reported lost: \
             it cannot join again under this name",
            self.node
        )
    }

    /// Starts the session task.
    pub fn start(self: &Arc<Self>, events: Arc<dyn Events>) {
        let _ = self.events.set(events);
        let Some(inbox) = self.inbox.lock().unwrap_or_else(|e| e.into_inner()).take() else { return };
        let me = self.clone();
        let task = self.handle.spawn(async move { me.run(inbox).await });
        *self.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
    }

    fn events(&self) -> Option<&Arc<dyn Events>> {
        self.events.get()
    }

    fn set_health(&self, health: Option<String>) {
        self.view.lock().unwrap_or_else(|e| e.into_inner()).health = health;
    }

    async fn run(self: Arc<Self>, inbox: mpsc::Receiver<Op>) {
        let inbox = Arc::new(tokio::sync::Mutex::new(inbox));
        let mut backoff = FIRST_BACKOFF;
        loop {
            let started = std::time::Instant::now();
            let why = self.session(&inbox).await;
            *self.client.lock().unwrap_or_else(|e| e.into_inner()) = None;
            if why == self.forgotten_message() {
                tracing::error!(node = %self.node, "{why}");
                self.set_health(Some(why));
                return;
            }
            tracing::warn!(node = %self.node, "cluster directory: {why}; retrying in {backoff:?}");
            self.set_health(Some(why));
            if started.elapsed() > MAX_BACKOFF * 2 {
                backoff = FIRST_BACKOFF;
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
            // Writes queued meanwhile are stale: the next session writes
            // the state as it is then.
            let mut queued = inbox.lock().await;
            while queued.try_recv().is_ok() {}
        }
    }

    /// One session: see the module's comment. Returns why it ended.
    async fn session(self: &Arc<Self>, inbox: &Arc<tokio::sync::Mutex<mpsc::Receiver<Op>>>) -> String {
        match self.session_inner(inbox).await {
            Ok(never) => match never {},
            Err(why) => why,
        }
    }

    async fn session_inner(
        self: &Arc<Self>,
        inbox: &Arc<tokio::sync::Mutex<mpsc::Receiver<Op>>>,
    ) -> Result<std::convert::Infallible, String> {
        let mut client = self.connect().await?;
        let ttl = self.config.lease_ttl.as_secs().max(2) as i64;
        self.count(1);
        let lease = timed("lease grant", client.lease_grant(ttl, None)).await?.id();
        *self.lease.lock().unwrap_or_else(|e| e.into_inner()) = Some(lease);
        self.register(&mut client, lease).await?;
        let (mut keeper, mut kept) = timed("keep-alive", client.lease_keep_alive(lease)).await?;
        *self.client.lock().unwrap_or_else(|e| e.into_inner()) = Some(client.clone());
        let (fail, mut failed) = mpsc::channel::<String>(LANES + 2);
        let mut tasks = Tasks(Vec::new());
        // The renewal runs on its own: never behind writes or watch events.
        // A renewal that fails (etcd busy) is tried again at once; the
        // session ends only when etcd says the lease is gone, or when no
        // renewal succeeded for the lease's whole life (it is gone then).
        let every = Duration::from_millis((ttl as u64 * 1000 / 3).max(300));
        let life = Duration::from_secs(ttl as u64);
        let (me, failing) = (self.clone(), fail.clone());
        tasks.0.push(tokio::spawn(async move {
            let mut renewed_at = tokio::time::Instant::now();
            let mut wait = every;
            loop {
                tokio::time::sleep(wait).await;
                me.count(1);
                let renewed = async {
                    timed("keep-alive", keeper.keep_alive()).await?;
                    timed("keep-alive", kept.message()).await
                };
                let why = match renewed.await {
                    Ok(Some(r)) if r.ttl() > 0 => {
                        renewed_at = tokio::time::Instant::now();
                        wait = every;
                        continue;
                    }
                    Ok(_) => "the node's lease expired".to_owned(),
                    Err(e) if renewed_at.elapsed() < life => {
                        tracing::debug!(node = %me.node, "lease renewal failed ({e}); trying again");
                        wait = Duration::from_millis(250);
                        continue;
                    }
                    Err(e) => format!("no lease renewal for {life:?}: {e}"),
                };
                let _ = failing.send(why).await;
                return;
            }
        }));
        // Writes in lanes applied side by side; an agent's always take the
        // same lane, so they stay in order.
        let mut lanes = Vec::with_capacity(LANES);
        for _ in 0..LANES {
            let (tx, mut rx) = mpsc::channel::<Op>(LANE_QUEUE);
            let (me, failing, mut client) = (self.clone(), fail.clone(), client.clone());
            tasks.0.push(tokio::spawn(async move {
                while let Some(op) = rx.recv().await {
                    if let Err(why) = me.apply(&mut client, lease, op).await {
                        let _ = failing.send(why).await;
                        return;
                    }
                }
            }));
            lanes.push(tx);
        }
        self.announce(&mut client, &lanes).await?;
        let queued = inbox.clone();
        tasks.0.push(tokio::spawn(async move {
            let mut inbox = queued.lock().await;
            while let Some(op) = inbox.recv().await {
                if lanes[op.lane()].send(op).await.is_err() {
                    return;
                }
            }
        }));
        let revision = self.load_snapshot(&mut client).await?;
        let mut watch = {
            let from =
                |prefix: String| (prefix, Some(WatchOptions::new().with_prefix().with_start_revision(revision + 1)));
            let (k, o) = from(self.keys.members());
            let mut w = timed("watch", client.watch(k, o)).await?;
            for prefix in [self.keys.forgotten_all(), self.keys.services(), self.keys.locations_of_home(&self.node)] {
                let (k, o) = from(prefix);
                timed("watch", w.watch(k, o)).await?;
            }
            w
        };
        self.set_health(None);
        tracing::info!(node = %self.node, "joined the cluster directory {} (lease {ttl} s)", self.describe());
        let mut load = tokio::time::interval(LOAD_EVERY);
        let mut last_load = None;
        loop {
            tokio::select! {
                why = failed.recv() => return Err(why.unwrap_or_default()),
                _ = load.tick() => {
                    let now = self.member_record();
                    if last_load.as_ref() != Some(&now) {
                        self.count(1);
                        let put = client.put(self.keys.member(&self.node), now.encode(), Some(PutOptions::new().with_lease(lease)));
                        timed("put", put).await?;
                        last_load = Some(now);
                    }
                }
                message = watch.message() => match message {
                    Ok(Some(response)) => {
                        if response.canceled() {
                            return Err(format!("watch cancelled: {}", response.cancel_reason()));
                        }
                        for event in response.events() {
                            let Some(kv) = event.kv() else { continue };
                            let value = (event.event_type() == EventType::Put).then(|| text(kv.value()));
                            self.observe(text(kv.key()), value);
                        }
                    }
                    Ok(None) => return Err("the watch ended".into()),
                    Err(e) => return Err(format!("watch: {e}")),
                },
            }
        }
    }

    fn member_record(&self) -> Member {
        let (runnable, agents, draining) = self.events().map(|e| e.load()).unwrap_or((0, 0, false));
        Member { addr: self.listen, runnable, agents, draining }
    }

    /// Registers the node under `lease`, unless an operator forgot it.
    async fn register(&self, client: &mut Client, lease: i64) -> Result<(), String> {
        let (me, forgotten) = (self.keys.member(&self.node), self.keys.forgotten(&self.node));
        let txn = Txn::new().when(vec![Compare::version(forgotten, CompareOp::Equal, 0)]).and_then(vec![TxnOp::put(
            me,
            self.member_record().encode(),
            Some(PutOptions::new().with_lease(lease)),
        )]);
        self.count(1);
        match timed("register", client.txn(txn)).await?.succeeded() {
            true => Ok(()),
            false => Err(self.forgotten_message()),
        }
    }

    /// Writes this node's state again (through the lanes): its agents'
    /// locations and DF entries, its published libraries; removes location
    /// records that still name this node for agents no longer here (they
    /// ended while etcd could not be told).
    async fn announce(&self, client: &mut Client, lanes: &[mpsc::Sender<Op>]) -> Result<(), String> {
        let Some(events) = self.events().cloned() else { return Ok(()) };
        let here = events.local_agents();
        let mut ops: Vec<Op> = here.iter().map(|(agent, epoch)| Op::Here(agent.clone(), *epoch)).collect();
        ops.extend(events.local_services().into_iter().map(|(agent, services)| Op::Services(agent, services)));
        ops.extend(events.published_libraries().into_iter().map(Op::Library));
        for op in ops {
            lanes[op.lane()].send(op).await.map_err(|_| "a write lane ended".to_owned())?;
        }
        let here: BTreeSet<&str> = here.iter().map(|(a, _)| a.as_str()).collect();
        self.count(1);
        let all = timed("get", client.get(self.keys.locations(), Some(GetOptions::new().with_prefix()))).await?;
        for kv in all.kvs() {
            let Some(loc) = Location::decode(text(kv.value())) else { continue };
            let agent = text(kv.key()).rsplit('/').next().unwrap_or("");
            if loc.node == self.node && !loc.lost && !here.contains(agent) {
                let txn = Txn::new()
                    .when(vec![Compare::mod_revision(kv.key(), CompareOp::Equal, kv.mod_revision())])
                    .and_then(vec![TxnOp::delete(kv.key(), None)]);
                self.count(1);
                timed("txn", client.txn(txn)).await?;
            }
        }
        Ok(())
    }

    /// Reads members, forgotten nodes, DF entries and this node's agents'
    /// locations at one revision; returns it.
    async fn load_snapshot(&self, client: &mut Client) -> Result<i64, String> {
        let prefixes = [
            self.keys.members(),
            self.keys.forgotten_all(),
            self.keys.services(),
            self.keys.locations_of_home(&self.node),
        ];
        let gets: Vec<TxnOp> =
            prefixes.iter().map(|p| TxnOp::get(p.clone(), Some(GetOptions::new().with_prefix()))).collect();
        self.count(1);
        let response = timed("txn", client.txn(Txn::new().and_then(gets))).await?;
        let revision = response.header().map(|h| h.revision()).unwrap_or(0);
        let before: Vec<String> = {
            let mut view = self.view.lock().unwrap_or_else(|e| e.into_inner());
            view.forgotten.clear();
            view.members.keys().cloned().collect()
        };
        let mut seen = BTreeSet::new();
        for op in response.op_responses() {
            let TxnOpResponse::Get(get) = op else { continue };
            for kv in get.kvs() {
                let key = text(kv.key());
                if let Some(name) = Keys::strip(key, &self.keys.members()) {
                    seen.insert(name.to_owned());
                }
                self.observe(key, Some(text(kv.value())));
            }
        }
        for gone in before.into_iter().filter(|n| !seen.contains(n)) {
            self.observe(&self.keys.member(&gone), None);
        }
        Ok(revision)
    }

    /// A key's new value (`None`: deleted), from the snapshot or the watch.
    fn observe(&self, key: &str, value: Option<&str>) {
        let Some(events) = self.events().cloned() else { return };
        if let Some(name) = Keys::strip(key, &self.keys.members()) {
            let member = value.and_then(Member::decode);
            let mut view = self.view.lock().unwrap_or_else(|e| e.into_inner());
            match member {
                Some(m) => {
                    let was_up = view.members.get(name).is_some_and(|(old, alive)| *alive && old.addr == m.addr);
                    view.members.insert(name.to_owned(), (m.clone(), true));
                    drop(view);
                    if !was_up {
                        events.member_up(name, m.addr);
                    }
                }
                None => {
                    if let Some((_, alive)) = view.members.get_mut(name) {
                        if std::mem::replace(alive, false) {
                            drop(view);
                            events.member_down(name);
                        }
                    }
                }
            }
        } else if let Some(name) = Keys::strip(key, &self.keys.forgotten_all()) {
            let mut view = self.view.lock().unwrap_or_else(|e| e.into_inner());
            match value {
                Some(_) => view.forgotten.insert(name.to_owned()),
                None => view.forgotten.remove(name),
            };
        } else if let Some(rest) = Keys::strip(key, &self.keys.services()) {
            let Some((node, agent)) = rest.split_once('/') else { return };
            let Some(agent) = AgentId::parse(agent) else { return };
            if node == self.node {
                return;
            }
            let merged = {
                let mut view = self.view.lock().unwrap_or_else(|e| e.into_inner());
                let of_agent = view.services.entry(agent.clone()).or_default();
                match value.and_then(records::decode_services) {
                    Some(services) => of_agent.insert(node.to_owned(), services),
                    None => of_agent.remove(node),
                };
                let merged: Vec<Description> = of_agent.values().flatten().cloned().collect();
                if of_agent.is_empty() {
                    view.services.remove(&agent);
                }
                merged
            };
            events.services(&agent, merged);
        } else if let Some(rest) = Keys::strip(key, &self.keys.locations_of_home(&self.node)) {
            let (Some(agent), Some(loc)) = (AgentId::parse(rest), value.and_then(Location::decode)) else { return };
            if !loc.lost {
                events.location(&agent, &loc.node, loc.epoch);
            }
        }
    }

    /// Writes where `agent` is by compare-and-swap on its epoch.
    async fn write_location(
        &self,
        client: &mut Client,
        agent: &AgentId,
        node: &str,
        epoch: u64,
    ) -> Result<LocationWrite, String> {
        let key = self.keys.location(agent);
        let value = Location { node: node.to_owned(), epoch, lost: false }.encode();
        let newer = Txn::new()
            .when(vec![Compare::value(key.clone(), CompareOp::Less, Location::fence(epoch))])
            .and_then(vec![TxnOp::put(key.clone(), value.clone(), None)])
            .or_else(vec![TxnOp::get(key.clone(), None)]);
        let txn = Txn::new()
            .when(vec![Compare::version(key.clone(), CompareOp::Equal, 0)])
            .and_then(vec![TxnOp::put(key.clone(), value, None)])
            .or_else(vec![TxnOp::txn(newer)]);
        self.count(1);
        let response = timed("txn", client.txn(txn)).await?;
        if response.succeeded() {
            return Ok(LocationWrite::Written);
        }
        for op in response.op_responses() {
            if let TxnOpResponse::Txn(inner) = op {
                if inner.succeeded() {
                    return Ok(LocationWrite::Written);
                }
                for op in inner.op_responses() {
                    if let TxnOpResponse::Get(get) = op {
                        let stored = get.kvs().first().and_then(|kv| Location::decode(text(kv.value())));
                        return Ok(LocationWrite::Refused(stored));
                    }
                }
            }
        }
        Ok(LocationWrite::Refused(None))
    }

    /// Writes a location as node `node` would (tests: a stale write is refused).
    pub async fn write_location_as(&self, node: &str, agent: &AgentId, epoch: u64) -> Result<LocationWrite, String> {
        let mut client = self.connect().await?;
        self.write_location(&mut client, agent, node, epoch).await
    }

    /// Where the directory says `agent` is.
    pub async fn location(&self, agent: &AgentId) -> Result<Option<Location>, String> {
        let mut client = self.connect().await?;
        let found = timed("get", client.get(self.keys.location(agent), None)).await?;
        Ok(found.kvs().first().and_then(|kv| Location::decode(text(kv.value()))))
    }

    async fn apply(&self, client: &mut Client, lease: i64, op: Op) -> Result<(), String> {
        match op {
            Op::Here(agent, epoch) => {
                if let LocationWrite::Refused(stored) = self.write_location(client, &agent, &self.node, epoch).await? {
                    tracing::debug!(node = %self.node, "location of {agent} at epoch {epoch} not written: {stored:?} is newer");
                }
            }
            Op::Ended(agent) => {
                let key = self.keys.location(&agent);
                self.count(2);
                let found = timed("get", client.get(key.clone(), None)).await?;
                if let Some(kv) = found.kvs().first() {
                    let mine = Location::decode(text(kv.value())).is_some_and(|l| l.node == self.node && !l.lost);
                    if mine {
                        let txn = Txn::new()
                            .when(vec![Compare::mod_revision(key.clone(), CompareOp::Equal, kv.mod_revision())])
                            .and_then(vec![TxnOp::delete(key, None)]);
                        timed("txn", client.txn(txn)).await?;
                    }
                }
            }
            Op::Services(agent, services) => {
                let key = self.keys.service(&self.node, &agent);
                self.count(1);
                if services.is_empty() {
                    timed("delete", client.delete(key, None)).await?;
                } else {
                    match records::encode_services(&services) {
                        Ok(value) if value.len() <= records::MAX_VALUE => {
                            timed("put", client.put(key, value, Some(PutOptions::new().with_lease(lease)))).await?;
                        }
                        Ok(_) => {
                            tracing::warn!(node = %self.node, "DF entries of {agent} too large for the cluster directory")
                        }
                        Err(why) => tracing::warn!(node = %self.node, "{why}"),
                    }
                }
            }
            Op::Library(lib) => {
                if lib.script.len() > records::MAX_VALUE {
                    tracing::warn!(node = %self.node, "library {} {} too large for the cluster directory", lib.name, lib.version);
                    return Ok(());
                }
                let key = self.keys.library(&lib.name, &lib.version);
                let txn = Txn::new()
                    .when(vec![Compare::version(key.clone(), CompareOp::Equal, 0)])
                    .and_then(vec![TxnOp::put(key.clone(), lib.script.clone(), None)])
                    .or_else(vec![TxnOp::get(key, None)]);
                self.count(1);
                let response = timed("txn", client.txn(txn)).await?;
                if !response.succeeded() {
                    let same = response.op_responses().iter().any(|op| {
                        matches!(op, TxnOpResponse::Get(g) if g.kvs().first().is_some_and(|kv| kv.value() == lib.script.as_bytes()))
                    });
                    if !same {
                        tracing::warn!(node = %self.node, "library {} {} is in the cluster directory with other content", lib.name, lib.version);
                    }
                }
            }
        }
        Ok(())
    }

    fn enqueue(&self, op: Op) {
        if self.queue.try_send(op).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn current_client(&self) -> Option<Client> {
        self.client.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn find_library(&self, name: &str, req: &Requirement) -> Result<Option<Library>, String> {
        let mut client = self.current_client().ok_or("the cluster directory is not connected")?;
        self.count(1);
        let found =
            timed("get", client.get(self.keys.libraries_named(name), Some(GetOptions::new().with_prefix()))).await?;
        let prefix = self.keys.libraries_named(name);
        let versions: Vec<(&str, &[u8])> =
            found.kvs().iter().filter_map(|kv| Some((Keys::strip(text(kv.key()), &prefix)?, kv.value()))).collect();
        let Some(best) = itinerant_core::library::choose(versions.iter().map(|(v, _)| *v), req) else {
            return Ok(None);
        };
        let script = versions.iter().find(|(v, _)| *v == best).map(|(_, s)| text(s).to_owned()).unwrap_or_default();
        Library::new(name, best, script).map(Some)
    }

    async fn forget_node(&self, node: &str) -> Result<Vec<String>, String> {
        if node == self.node {
            return Err(format!("node {node} cannot forget itself"));
        }
        let mut client = self.current_client().ok_or("the cluster directory is not connected")?;
        // Atomic with the node's registration: a node that holds its
        // lease is never forgotten, a forgotten one never registers.
        let txn = Txn::new()
            .when(vec![Compare::version(self.keys.member(node), CompareOp::Equal, 0)])
            .and_then(vec![TxnOp::put(self.keys.forgotten(node), "forgotten", None)]);
        self.count(1);
        if !timed("txn", client.txn(txn)).await?.succeeded() {
            return Err(format!("node {node} is alive (its lease holds): stop it before forgetting it"));
        }
        self.count(1);
        let all = timed("get", client.get(self.keys.locations(), Some(GetOptions::new().with_prefix()))).await?;
        let mut lost = Vec::new();
        for kv in all.kvs() {
            let Some(mut loc) = Location::decode(text(kv.value())) else { continue };
            if loc.node != node || loc.lost {
                continue;
            }
            loc.lost = true;
            // Only if it did not move meanwhile (a transfer it sent and
            // a live node accepted): then it is not lost.
            let txn = Txn::new()
                .when(vec![Compare::mod_revision(kv.key(), CompareOp::Equal, kv.mod_revision())])
                .and_then(vec![TxnOp::put(kv.key(), loc.encode(), None)]);
            self.count(1);
            if timed("txn", client.txn(txn)).await?.succeeded() {
                lost.push(text(kv.key()).rsplit('/').next().unwrap_or("").to_owned());
            }
        }
        lost.sort();
        tracing::warn!(node = %self.node, "node {node} forgotten; {} agents reported lost: {}", lost.len(), lost.join(" "));
        self.view.lock().unwrap_or_else(|e| e.into_inner()).forgotten.insert(node.to_owned());
        Ok(lost)
    }

    /// etcd calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

impl Directory for Etcd {
    fn describe(&self) -> String {
        format!("etcd://{}/{}", self.config.endpoints.join(","), self.config.namespace)
    }

    fn status(&self) -> ClusterStatus {
        let view = self.view.lock().unwrap_or_else(|e| e.into_inner());
        ClusterStatus {
            directory: self.describe(),
            health: view.health.clone(),
            members: view
                .members
                .iter()
                .map(|(name, (m, alive))| MemberRow {
                    name: name.clone(),
                    addr: m.addr.to_string(),
                    alive: *alive,
                    agents: m.agents,
                })
                .collect(),
            forgotten: view.forgotten.iter().cloned().collect(),
            operations: self.calls(),
        }
    }

    fn location_changed(&self, _net: &dyn Net, _me: &str, _agent: &AgentId, _epoch: u64) {
        // `agent_here` writes every location, of every home.
    }

    fn agent_here(&self, agent: &AgentId, epoch: u64) {
        self.enqueue(Op::Here(agent.clone(), epoch));
    }

    fn agent_ended(&self, agent: &AgentId) {
        self.enqueue(Op::Ended(agent.clone()));
    }

    fn services_changed(&self, _net: &dyn Net, agent: &AgentId, services: &[Description]) {
        self.enqueue(Op::Services(agent.clone(), services.to_vec()));
    }

    fn greeting(&self, _local: Vec<(AgentId, Vec<Description>)>) -> Vec<Frame> {
        Vec::new()
    }

    fn library_published(&self, lib: &Library) {
        self.enqueue(Op::Library(lib.clone()));
    }

    fn fetch_library(&self, agent: &AgentId, ticket: u64, name: &str, req: &Requirement) -> bool {
        let Some(events) = self.events().cloned() else { return false };
        let Some(directory) = self.me.get().and_then(std::sync::Weak::upgrade) else { return false };
        let (agent, name, req) = (agent.clone(), name.to_owned(), req.clone());
        self.handle.spawn(async move {
            let found = match directory.find_library(&name, &req).await {
                Ok(found) => found,
                Err(why) => {
                    tracing::info!(node = %directory.node, "library {name} not looked up in the cluster directory: {why}");
                    None
                }
            };
            events.library_found(&agent, ticket, &name, &req, found);
        });
        true
    }

    fn unreachable(&self, node: &str) -> Option<String> {
        let view = self.view.lock().unwrap_or_else(|e| e.into_inner());
        view.forgotten.contains(node).then(|| format!("node {node} was forgotten by an operator"))
    }

    fn forget(&self, node: &str) -> BoxFuture<'_, Result<Vec<String>, String>> {
        let node = node.to_owned();
        Box::pin(async move { self.forget_node(&node).await })
    }

    fn leave(&self) {
        if let Some(task) = self.task.lock().unwrap_or_else(|e| e.into_inner()).take() {
            task.abort();
        }
        let lease = *self.lease.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(mut client), Some(lease)) = (self.current_client(), lease) {
            // Leaving at once, not when the lease runs out.
            self.handle.spawn(async move {
                let _ = timed("lease revoke", client.lease_revoke(lease)).await;
            });
        }
    }
}
