//! A node: an agent runtime plus TCP links to peer nodes (tokio).
//!
//! Each peer gets one outbound connection, written by one task from one
//! bounded queue, so messages from one sender to one receiver stay in order.
//! Inbound connections are read by one task each: the first frame must be
//! a hello; every later frame is an agent message delivered to the local
//! runtime. A connection that sends garbage, an oversized or a truncated
//! frame is closed with a logged reason; the node goes on serving the rest.
//! A connection that starts with a client hello is a CLI: `control` serves it.
//!
//! With a data directory the node keeps its agents in a store
//! (`store.rs`): they are checkpointed while they run, all of them at a
//! clean stop, and brought back when the node starts again on the same
//! directory (after a crash, from each agent's last checkpoint).
//!
//! A placement task tells every peer this node's load twice a second and
//! drives a drain or, with `NodeConfig::balance`, load balancing
//! (`placement.rs`); both move agents with `Runtime::migrate`.
//!
//! A link whose peer goes away (crash, stop) connects again, for as long
//! as the node runs; frames queued meanwhile wait (up to the queue's
//! bound), but those of a write that failed are lost: transfers are sent
//! again until answered, agent messages are best effort.
//!
//! Every connection runs over mutual TLS under the cluster CA when the
//! node has credentials (`NodeConfig::tls`, `net/tls.rs`): a peer's hello
//! must name the node its certificate names. Without credentials the node
//! speaks plain TCP and listens and dials on loopback only.
//!
//! Not yet: the urgent lane's own queue, redelivery of messages.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use itinerant_core::df::Description;
use itinerant_core::{
    Acl, AgentId, AgentOutcome, Departure, DepartureKind, DepartureOutcome, Library, Message, Prepared, Requirement,
    Router, Runtime, RuntimeConfig, SendError,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::cluster::{self, ClusterConfig, Directory};
use crate::control;
use crate::endpoints::NodeEndpoints;
use crate::handoff::{self, Fence, MemoryFences, Verdict};
use crate::libraries::{FetchStep, Fetches, Libraries};
use crate::net::frame::{Frame, FrameDecoder, Lane, DEFAULT_MAX_PAYLOAD};
use crate::net::tls::{NodeTls, Peer, Stream};
use crate::placement::{DrainReport, Placement, BALANCE_PERIOD, LOAD_PERIOD};
use crate::proto::Wire;
use crate::store::Store;

/// Frames queued for one peer before sends to it are refused.
const PEER_QUEUE: usize = 4096;
/// Failed connection attempts to a peer before it is logged as
/// unreachable (the link keeps trying).
const CONNECT_ATTEMPTS: u32 = 20;
/// Longest wait for one write to a peer before its link is reset.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for a connection attempt.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long an inbound connection may stay silent before it is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// How to run a node.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub name: String,
    pub listen: SocketAddr,
    pub runtime: RuntimeConfig,
    /// Largest frame payload accepted from a peer.
    pub max_frame: usize,
    /// Where the node keeps its agents; none: in memory only.
    pub data: Option<PathBuf>,
    /// Move agents to less loaded peers (`placement.rs`); off by default.
    pub balance: bool,
    /// Mutual TLS for every connection; none: plain TCP, loopback only.
    pub tls: Option<Arc<NodeTls>>,
    /// The policy file (`policy.rs`): which owners may run agents here and
    /// what they may do. None: every agent, signed or not, with what the
    /// runtime configuration allows (docs/SECURITY.md).
    pub policy: Option<PathBuf>,
    /// The services file (`services/config.rs`): what the node serves as
    /// a superserver. None: no services.
    pub services: Option<PathBuf>,
    /// The services this node fronts (`crate::front`, `--front FILE`);
    /// none: it fronts nothing.
    pub front: Option<crate::front::config::FrontConfig>,
    /// The cluster directory and membership (`cluster/`): embedded (the
    /// default) or etcd.
    pub cluster: ClusterConfig,
}

impl NodeConfig {
    pub fn new(name: &str, listen: SocketAddr) -> NodeConfig {
        NodeConfig {
            name: name.to_owned(),
            listen,
            runtime: RuntimeConfig::for_node(name),
            max_frame: DEFAULT_MAX_PAYLOAD,
            data: None,
            balance: false,
            tls: None,
            policy: None,
            services: None,
            front: None,
            cluster: ClusterConfig::Embedded,
        }
    }
}

/// A running node.
pub struct Node {
    runtime: Arc<Runtime>,
    links: Arc<Links>,
    addr: SocketAddr,
    accept_task: tokio::task::JoinHandle<()>,
    retry_task: tokio::task::JoinHandle<()>,
    placement_task: tokio::task::JoinHandle<()>,
    store: Option<Arc<Store>>,
    /// The agents brought back from the store at start.
    resumed: Vec<AgentId>,
    endpoints: Arc<NodeEndpoints>,
}

/// The outbound queues, by peer node name; the runtime's router.
struct Links {
    node: String,
    /// Where this node listens (told to peers in the hello).
    listen: Mutex<Option<SocketAddr>>,
    queues: Mutex<HashMap<String, mpsc::Sender<Frame>>>,
    /// Where the peers are and whether their links are up (for clients).
    peers: control::PeerTable,
    /// Durable transfer verdicts live in the store; without one, here.
    store: Option<Arc<Store>>,
    fences: MemoryFences,
    /// Held while a transfer is judged and recorded: a repeat of the same
    /// transfer on another connection (its source restarted and sent it
    /// again) waits, then finds the fence, instead of being decided twice.
    judging: tokio::sync::Mutex<()>,
    /// Transfers sent and not yet answered, by (agent, epoch): sent again
    /// until answered (the destination answers a repeat as the first).
    unanswered: Mutex<HashMap<(String, u64), (String, Frame)>>,
    /// Resource calls waiting for their answer, by call number.
    calls: Mutex<HashMap<u64, std::sync::mpsc::SyncSender<Result<String, String>>>>,
    next_call: std::sync::atomic::AtomicU64,
    /// Published and cached libraries (code on demand).
    libraries: Arc<Libraries>,
    /// Library fetches under way for this node's agents.
    fetches: Mutex<Fetches>,
    /// Peers' loads, drain and balancing.
    placement: Placement,
    /// The policy and the signed submissions seen.
    owners: crate::signed::Owners,
    /// TLS for links to peers; none: plain TCP to loopback peers.
    tls: Option<Arc<NodeTls>>,
    /// The object server.
    objects: Arc<crate::objects::Objects>,
    /// The services (superserver).
    services: Arc<crate::services::Services>,
    /// The cluster directory and membership.
    directory: Arc<dyn Directory>,
    /// FIPA HTTP MTP messages to other platforms, posted on this runtime.
    fipa: crate::fipa::outbound::Outbound,
    handle: tokio::runtime::Handle,
    /// Largest frame payload (the peers' limit too: one configuration per
    /// cluster); a bigger transfer is refused before it leaves.
    max_frame: usize,
    /// WebAssembly agents: modules, their offers to peers (`wasm_code.rs`).
    wasm: Arc<crate::wasm_code::WasmCode>,
}

impl cluster::Net for Links {
    fn send_frame(&self, node: &str, frame: Frame) -> Result<(), String> {
        Links::send_frame(self, node, frame)
    }

    fn peer_names(&self) -> Vec<String> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect()
    }
}

impl crate::objects::Peers for Links {
    fn send(&self, node: &str, frame: Frame) -> Result<(), String> {
        self.send_frame(node, frame)
    }

    fn addr_of(&self, node: &str) -> Option<SocketAddr> {
        self.peers.addr_of(node)
    }
}

impl Links {
    /// Opens the link to `name` at `addr` (replacing an older one); the
    /// first frames it carries tell the peer this node's directory.
    fn add(&self, name: &str, addr: SocketAddr, rt: &Runtime) {
        let (tx, rx) = mpsc::channel(PEER_QUEUE);
        for frame in self.directory.greeting(rt.local_directory()) {
            let _ = tx.try_send(frame);
        }
        self.queues.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_owned(), tx);
        let me = self.node.clone();
        let listen = self.listen.lock().unwrap_or_else(|e| e.into_inner()).map(|a| a.to_string()).unwrap_or_default();
        let peer = name.to_owned();
        let status = self.peers.link(name, addr);
        let tls = self.tls.clone();
        tokio::spawn(async move {
            if let Err(why) = serve_outbound(&me, &listen, (&peer, addr), tls, rx, status).await {
                tracing::warn!(node = %me, "link to {peer} at {addr} ended: {why}");
            }
        });
    }

    fn has(&self, name: &str) -> bool {
        self.queues.lock().unwrap_or_else(|e| e.into_inner()).contains_key(name)
    }
}

/// Messages are passed from node to node at most this often. Forwarding
/// pointers lead along the agent's own path, forward in time, so a message
/// chasing an agent takes one hop per jump the agent makes meanwhile (with a
/// limit of 8, a quick 24-jump tour in the ordering test lost the first
/// messages sent to it); the limit only guards against a bug that would make one circle.
const MAX_HOPS: u8 = 64;
/// How often unanswered transfers are sent again.
const TRANSFER_RETRY: Duration = Duration::from_secs(1);
/// Longest wait for the answer to a resource call on another node.
const RESOURCE_CALL_TIMEOUT: Duration = Duration::from_secs(5);

impl Links {
    /// Queues `frame` on the link to `node`.
    fn send_frame(&self, node: &str, frame: Frame) -> Result<(), String> {
        let queue = self.queues.lock().unwrap_or_else(|e| e.into_inner()).get(node).cloned();
        let Some(tx) = queue else {
            return Err(format!("no link from {} to node \"{node}\"", self.node));
        };
        tx.try_send(frame).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => format!("queue to node \"{node}\" is full"),
            mpsc::error::TrySendError::Closed(_) => format!("link to node \"{node}\" is down"),
        })
    }

    fn fence(&self, key: &str) -> Result<Option<Fence>, String> {
        match &self.store {
            Some(store) => store.fence(key),
            None => Ok(self.fences.get(key)),
        }
    }

    /// Tells every peer this node's load.
    fn send_load(&self, rt: &Runtime) {
        let load = rt.load();
        let w = Wire::Load { runnable: load.runnable as u64, agents: load.agents as u64, draining: rt.is_draining() };
        let frame = wire_frame(&w);
        for tx in self.queues.lock().unwrap_or_else(|e| e.into_inner()).values() {
            let _ = tx.try_send(frame.clone());
        }
    }

    /// Sends every unanswered transfer again.
    fn resend_transfers(&self) {
        let pending: Vec<(String, Frame)> =
            self.unanswered.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
        for (dest, frame) in pending.into_iter().chain(self.wasm.offers()) {
            let _ = self.send_frame(&dest, frame);
        }
    }
}

fn wire_frame(w: &Wire) -> Frame {
    Frame { lane: Lane::Data, kind: w.kind(), payload: w.encode() }
}

impl Router for Links {
    fn directory_changed(&self, agent: &AgentId, services: &[Description]) {
        self.directory.services_changed(self, agent, services);
    }

    fn route(&self, to: &AgentId, msg: Message) -> Result<(), SendError> {
        self.route_to_node(to.home(), to, msg)
    }

    fn send_foreign(&self, from: &AgentId, acl: &itinerant_core::Acl) -> Result<(), String> {
        self.fipa.send(&self.handle, from.as_str(), acl)
    }

    fn route_to_node(&self, node: &str, to: &AgentId, mut msg: Message) -> Result<(), SendError> {
        if msg.hops >= MAX_HOPS {
            return Err(SendError::Unreachable(format!("agent \"{to}\" not found after {MAX_HOPS} nodes")));
        }
        if let Some(why) = self.directory.unreachable(node) {
            return Err(SendError::Unreachable(format!("agent \"{to}\" is lost: {why}")));
        }
        msg.hops += 1;
        self.send_frame(node, wire_frame(&Wire::from_message(to, &msg))).map_err(SendError::Unreachable)
    }

    fn depart(&self, departure: Departure) -> Result<(), String> {
        let key = (departure.image.id.to_string(), departure.image.epoch);
        let frame = wire_frame(&Wire::Transfer {
            kind: departure.kind.name().to_owned(),
            image: crate::image::encode(&departure.image),
        });
        // The destination would drop it as oversized, and the retry send
        // it again forever: the agent hears why instead, and stays here.
        if frame.payload.len() > self.max_frame {
            return Err(format!(
                "the agent's image is {} bytes, more than the {} bytes a transfer may carry",
                frame.payload.len(),
                self.max_frame
            ));
        }
        // A fresh transfer to no known node is refused here (nothing was
        // sent). A resent one is kept: the peer's link may come later (the
        // node adds its peers after it resumes its agents).
        if !departure.resend && !self.has(&departure.dest) {
            return Err(format!("no link to node \"{}\"", departure.dest));
        }
        // The agent's frozen image (queued by the runtime) must be durable
        // before the transfer leaves: otherwise a crash here could bring
        // back the agent from before its jump while the destination runs
        // it (exactly once holds only for an agent that replays the same
        // jump; one that chose differently would run twice).
        if let Some(store) = &self.store {
            itinerant_core::Persist::flush(store.as_ref());
        }
        if let Some(hash) =
            self.wasm.module_of(&departure.image.snapshot).filter(|h| !self.wasm.peer_has(&departure.dest, h))
        {
            // A wasm agent's transfer waits until the destination said
            // whether it needs the module (`wasm_code.rs`).
            let offer = self.wasm.hold(&departure.dest, &hash, (key, frame));
            let _ = self.send_frame(&departure.dest, offer);
            return Ok(());
        }
        self.unanswered.lock().unwrap_or_else(|e| e.into_inner()).insert(key, (departure.dest.clone(), frame.clone()));
        // A full queue is no answer: the retry sends it again.
        let _ = self.send_frame(&departure.dest, frame);
        Ok(())
    }

    fn location_changed(&self, agent: &AgentId, epoch: u64) {
        self.directory.location_changed(self, &self.node, agent, epoch);
    }

    fn agent_here(&self, agent: &AgentId, epoch: u64) {
        self.directory.agent_here(agent, epoch);
    }

    fn agent_ended(&self, agent: &AgentId) {
        self.directory.agent_ended(agent);
    }

    fn resource_call(&self, node: &str, op: Vec<String>) -> Result<String, String> {
        let call = self.next_call.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).insert(call, tx);
        let answer = self.send_frame(node, wire_frame(&Wire::ResourceCall { call, op })).and_then(|()| {
            match rx.recv_timeout(RESOURCE_CALL_TIMEOUT) {
                Ok(result) => result,
                Err(_) => Err(format!("node {node} did not answer within {RESOURCE_CALL_TIMEOUT:?}")),
            }
        });
        self.calls.lock().unwrap_or_else(|e| e.into_inner()).remove(&call);
        answer
    }

    fn resource_post(&self, node: &str, op: Vec<String>) {
        if let Err(why) = self.send_frame(node, wire_frame(&Wire::ResourceCall { call: 0, op })) {
            tracing::warn!(node = %self.node, "resource operation for node {node} not sent: {why}");
        }
    }

    fn find_library(&self, name: &str, req: &Requirement) -> Option<Library> {
        self.libraries.find(name, req)
    }

    fn library_versions(&self, name: &str) -> Vec<String> {
        self.libraries.versions(name)
    }

    fn object_call(&self, agent: &AgentId, ticket: u64, words: Vec<String>, timeout: Duration) -> Result<(), String> {
        if words.len() < 2 {
            return Err("object call needs a reference and a method".into());
        }
        self.objects.call_for_agent(agent.as_str(), ticket, words, timeout);
        Ok(())
    }

    /// Asks the cluster directory, or else every peer.
    fn fetch_library(&self, agent: &AgentId, agent_ticket: u64, name: &str, req: &Requirement) -> Result<(), String> {
        if self.directory.fetch_library(agent, agent_ticket, name, req) {
            return Ok(());
        }
        self.fetch_from_peers(agent, agent_ticket, name, req)
    }
}

impl Links {
    /// Asks every peer for a library; the first that has a suitable
    /// version answers with it (see `libraries.rs`).
    fn fetch_from_peers(
        &self,
        agent: &AgentId,
        agent_ticket: u64,
        name: &str,
        req: &Requirement,
    ) -> Result<(), String> {
        let peers: Vec<String> = self.queues.lock().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect();
        // Recorded before asking, so that no answer can come first.
        let ticket = self.fetches.lock().unwrap_or_else(|e| e.into_inner()).start(
            agent,
            agent_ticket,
            name,
            req,
            peers.len(),
            std::time::Instant::now(),
        )?;
        let ask = wire_frame(&Wire::LibraryRequest { ticket, name: name.to_owned(), requirement: req.encode() });
        let mut unsent = Vec::new();
        for peer in &peers {
            if let Err(why) = self.send_frame(peer, ask.clone()) {
                unsent.push(why);
            }
        }
        // A peer that could not be asked counts as one that said no.
        let mut fetches = self.fetches.lock().unwrap_or_else(|e| e.into_inner());
        for _ in 0..unsent.len() {
            if let (FetchStep::NotFound(_), _) = fetches.answer(ticket, name, None) {
                return Err(format!("no peer could be asked: {}", unsent.join("; ")));
            }
        }
        Ok(())
    }
}

impl Node {
    /// Opens the store (if any), binds the listener, starts the runtime
    /// and brings back the stored agents. Call from a tokio runtime.
    pub async fn start(config: NodeConfig) -> Result<Node, String> {
        let opened = match &config.data {
            Some(dir) => Some(Store::open(dir, &config.name, config.runtime.ended_kept)?),
            None => None,
        };
        if config.tls.is_none() && !config.listen.ip().is_loopback() {
            return Err(format!("a node without TLS credentials listens on loopback only, not on {}", config.listen));
        }
        let listener =
            TcpListener::bind(config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let policy = match &config.policy {
            Some(path) => Some(crate::policy::NodePolicy::load(&config.name, path)?),
            None => None,
        };
        let mut runtime_config = config.runtime.clone();
        if runtime_config.sandbox.is_none() {
            runtime_config.sandbox = config.data.as_ref().map(|d| d.join("sandbox"));
        }
        let wasm =
            Arc::new(crate::wasm_code::WasmCode::new(config.data.as_deref(), runtime_config.quotas.memory_bytes));
        let runtime = Arc::new(Runtime::new(runtime_config));
        runtime.set_program_factory(wasm.factory());
        if let Some(opened) = &opened {
            runtime.set_key_value(opened.store.clone());
        }
        let endpoints =
            Arc::new(NodeEndpoints::new(tokio::runtime::Handle::current(), addr.ip(), Arc::downgrade(&runtime)));
        runtime.set_endpoints(endpoints.clone());
        let objects = crate::objects::Objects::open(
            &config.name,
            opened.as_ref().map(|o| o.store.clone()),
            tokio::runtime::Handle::current(),
        );
        let services = match &config.services {
            Some(path) => Some(crate::services::config::ServicesConfig::load(path, config.tls.is_some())?),
            None => None,
        };
        let services = crate::services::Services::start(
            services,
            addr,
            config.tls.clone(),
            crate::services::Context {
                node: config.name.clone(),
                objects: objects.clone(),
                endpoints: endpoints.clone(),
                runtime: Arc::downgrade(&runtime),
            },
        )?;
        let etcd = match &config.cluster {
            ClusterConfig::Embedded => None,
            ClusterConfig::Etcd(c) => Some(cluster::etcd::Etcd::new(&config.name, addr, c.clone())),
        };
        let links = Arc::new(Links {
            node: config.name.clone(),
            listen: Mutex::new(Some(addr)),
            queues: Mutex::new(HashMap::new()),
            peers: control::PeerTable::default(),
            store: opened.as_ref().map(|o| o.store.clone()),
            fences: MemoryFences::default(),
            judging: tokio::sync::Mutex::new(()),
            unanswered: Mutex::new(HashMap::new()),
            calls: Mutex::new(HashMap::new()),
            next_call: std::sync::atomic::AtomicU64::new(0),
            libraries: Arc::new(Libraries::open(opened.as_ref().map(|o| o.store.clone()))?),
            fetches: Mutex::new(Fetches::default()),
            placement: Placement::new(config.balance),
            tls: config.tls.clone(),
            objects,
            services,
            owners: crate::signed::Owners { policy: policy.clone(), ..Default::default() },
            directory: match &etcd {
                Some(etcd) => etcd.clone(),
                None => Arc::new(cluster::Embedded::default()),
            },
            fipa: Default::default(),
            handle: tokio::runtime::Handle::current(),
            wasm,
            max_frame: config.max_frame,
        });
        let peers: std::sync::Weak<dyn crate::objects::Peers> = Arc::downgrade(&links) as _;
        links.objects.set_peers(peers);
        links.objects.set_runtime(Arc::downgrade(&runtime));
        if let Some(front) = &config.front {
            links.objects.set_front(crate::front::Front::new(front)?);
        }
        if let Some(p) = &policy {
            runtime.set_authority(p.clone());
        }
        runtime.set_router(links.clone());
        links.fipa.set_runtime(Arc::downgrade(&runtime));
        if let Some(etcd) = &etcd {
            // A node an operator forgot must not bring its agents back:
            // they were reported lost.
            etcd.refuse_if_forgotten().await?;
            let events = NodeEvents { rt: Arc::downgrade(&runtime), links: Arc::downgrade(&links) };
            etcd.start(Arc::new(events));
        }
        // The store and the stored agents come back before the first
        // connection is accepted: an agent arriving earlier would run
        // without a store (its departure or end never recorded, its
        // arrival image resumed after the next crash beside the agent).
        let mut resumed = Vec::new();
        let store = opened.map(|opened| resume_agents(&config.name, &runtime, opened, &mut resumed));
        let rt = runtime.clone();
        let (name, max_frame) = (config.name.clone(), config.max_frame);
        let failures = links.clone();
        let accept_task = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, peer)) => {
                        // Answers are written whole: Nagle would hold a
                        // small one back until the peer's delayed ACK (40 ms).
                        let _ = stream.set_nodelay(true);
                        let rt = rt.clone();
                        let name = name.clone();
                        let failures = failures.clone();
                        tokio::spawn(async move {
                            let served = match secure(stream, failures.tls.as_deref()).await {
                                Ok((stream, who)) => serve_inbound(stream, who, peer, &rt, &failures, max_frame).await,
                                Err(why) => Err(why),
                            };
                            if let Err(why) = served {
                                tracing::warn!(node = %name, "closed connection from {peer}: {why}");
                            }
                        });
                    }
                    Err(e) => {
                        tracing::warn!(node = %name, "accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        });
        let retrying = links.clone();
        let retry_task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(TRANSFER_RETRY).await;
                retrying.resend_transfers();
                retrying.fetches.lock().unwrap_or_else(|e| e.into_inner()).expire(std::time::Instant::now());
                // An edited policy file applies without a signal.
                if let Some(p) = &retrying.owners.policy {
                    p.reload_if_changed();
                }
            }
        });
        let placement_task = tokio::spawn(placement_loop(runtime.clone(), links.clone()));
        Ok(Node { runtime, links, addr, accept_task, retry_task, placement_task, store, resumed, endpoints })
    }

    /// The address the node listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The peers: address, link up, last load (the dashboard's cluster view).
    pub fn peers(&self) -> Vec<control::PeerRow> {
        self.links.peers.rows(&self.links.placement)
    }

    /// Reads the policy file again (SIGHUP); the policy in force stays if
    /// the file is bad.
    pub fn reload_policy(&self) -> Result<String, String> {
        match &self.links.owners.policy {
            Some(p) => p.reload(),
            None => Err(format!("node {} runs without a policy", self.runtime.node())),
        }
    }

    /// Makes `name` at `addr` a peer: messages for its agents go there.
    pub fn add_peer(&self, name: &str, addr: SocketAddr) {
        self.links.add(name, addr, &self.runtime);
    }

    /// Stops accepting connections and stops the runtime; with a store,
    /// every agent is checkpointed first and the stop is recorded as clean.
    pub fn stop(&self) {
        self.accept_task.abort();
        self.retry_task.abort();
        self.placement_task.abort();
        self.endpoints.close_all();
        self.links.services.stop();
        self.runtime.checkpoint_and_stop();
        self.links.directory.leave();
        if let Some(store) = &self.store {
            if let Err(e) = store.mark_clean_stop() {
                tracing::warn!(node = %self.runtime.node(), "{e}");
            }
        }
    }

    /// Starts draining: the node refuses new agents and moves its own to
    /// its peers (`placement.rs`); `drain_report` tells how far it got.
    pub fn start_drain(&self) {
        self.links.placement.start_drain(&self.runtime);
    }

    pub fn drain_report(&self) -> DrainReport {
        self.links.placement.drain_report(&self.runtime)
    }

    /// The node takes new agents again.
    pub fn stop_drain(&self) {
        self.links.placement.stop_drain(&self.runtime);
    }

    /// The agents brought back from the store when the node started.
    pub fn resumed(&self) -> &[AgentId] {
        &self.resumed
    }

    /// The libraries this node has (published here or cached).
    pub fn libraries(&self) -> &Arc<Libraries> {
        &self.links.libraries
    }

    /// Outbound FIPA HTTP MTP messages (`fipa/outbound.rs`).
    pub fn fipa_outbound(&self) -> &crate::fipa::outbound::Outbound {
        &self.links.fipa
    }

    /// The dashboard's sessions (opened by clients, `itin dashboard`).
    pub fn dashboard_sessions(&self) -> &crate::dashboard::sessions::Sessions {
        &self.links.owners.dashboard
    }

    /// May someone acting as `acting` make `body` here, as a client of
    /// the control port would (`authz::check`)?
    pub fn authorize(&self, acting: &crate::authz::Acting, body: &control::RequestBody) -> Result<(), String> {
        control::authorize(&self.runtime, &self.links.owners, acting, body)
    }

    /// Is `acting` an operator here (may act on every agent and the node)?
    pub fn is_operator(&self, acting: &crate::authz::Acting) -> bool {
        self.authorize(acting, &control::RequestBody::Drain).is_ok()
    }

    /// The node's object server.
    pub fn objects(&self) -> &Arc<crate::objects::Objects> {
        &self.links.objects
    }

    /// The node's services (superserver).
    pub fn services(&self) -> &Arc<crate::services::Services> {
        &self.links.services
    }

    /// The cluster directory: its health and members.
    pub fn cluster_status(&self) -> cluster::ClusterStatus {
        self.links.directory.status()
    }

    /// The cluster directory itself.
    pub fn directory(&self) -> &Arc<dyn Directory> {
        &self.links.directory
    }

    /// The node's store, if it has a data directory.
    pub fn store(&self) -> Option<&Arc<Store>> {
        self.store.as_ref()
    }
}

/// What the cluster directory tells the node (see `cluster::Events`).
struct NodeEvents {
    rt: std::sync::Weak<Runtime>,
    links: std::sync::Weak<Links>,
}

impl cluster::Events for NodeEvents {
    fn member_up(&self, name: &str, addr: SocketAddr) {
        let (Some(rt), Some(links)) = (self.rt.upgrade(), self.links.upgrade()) else { return };
        if name == links.node {
            return;
        }
        let known = links.peers.addr_of(name);
        if known != Some(addr) || !links.has(name) {
            tracing::info!(node = %links.node, "member {name} at {addr} joined");
            links.add(name, addr, &rt);
        }
    }

    fn member_down(&self, name: &str) {
        if let Some(links) = self.links.upgrade() {
            tracing::warn!(node = %links.node, "member {name} left or its lease expired");
        }
    }

    fn location(&self, agent: &AgentId, node: &str, epoch: u64) {
        if let Some(rt) = self.rt.upgrade() {
            rt.location_update(agent, node, epoch);
        }
    }

    fn services(&self, agent: &AgentId, services: Vec<Description>) {
        if let Some(rt) = self.rt.upgrade() {
            rt.directory_update(agent, services);
        }
    }

    fn local_agents(&self) -> Vec<(AgentId, u64)> {
        self.rt.upgrade().map(|rt| rt.local_epochs()).unwrap_or_default()
    }

    fn local_services(&self) -> Vec<(AgentId, Vec<Description>)> {
        self.rt.upgrade().map(|rt| rt.services_here()).unwrap_or_default()
    }

    fn published_libraries(&self) -> Vec<Library> {
        self.links.upgrade().map(|l| l.libraries.published()).unwrap_or_default()
    }

    fn load(&self) -> (u64, u64, bool) {
        match self.rt.upgrade() {
            Some(rt) => {
                let load = rt.load();
                (load.runnable as u64, load.agents as u64, rt.is_draining())
            }
            None => (0, 0, false),
        }
    }

    fn library_found(&self, agent: &AgentId, ticket: u64, name: &str, req: &Requirement, found: Option<Library>) {
        let (Some(rt), Some(links)) = (self.rt.upgrade(), self.links.upgrade()) else { return };
        match found {
            Some(lib) => {
                // Not cached (a conflict, the limit, the store): still loaded.
                if let Err(why) = links.libraries.cache(&lib) {
                    tracing::warn!(node = %links.node, "library {} {} not cached: {why}", lib.name, lib.version);
                }
                rt.library_fetched(agent, ticket, Some(lib));
            }
            // Not in the directory (or it cannot be reached): the peers may have it cached.
            None => {
                if let Err(why) = links.fetch_from_peers(agent, ticket, name, req) {
                    tracing::info!(node = %links.node, "library {name} not found: {why}");
                    rt.library_fetched(agent, ticket, None);
                }
            }
        }
    }
}

/// Tells peers this node's load every `LOAD_PERIOD`; drives a drain
/// (every tick) or balancing (every `BALANCE_PERIOD`).
async fn placement_loop(rt: Arc<Runtime>, links: Arc<Links>) {
    const TICK: Duration = Duration::from_millis(250);
    let load_every = (LOAD_PERIOD.as_millis() / TICK.as_millis()).max(1) as u64;
    let balance_every = (BALANCE_PERIOD.as_millis() / TICK.as_millis()).max(1) as u64;
    for tick in 1u64.. {
        tokio::time::sleep(TICK).await;
        if tick % load_every == 0 {
            links.send_load(&rt);
        }
        if rt.is_draining() {
            links.placement.drain_round(&rt);
        } else if tick % balance_every == 0 {
            links.placement.balance_round(&rt);
        }
    }
}

/// Gives the runtime its store and brings back the stored agents, saying
/// in the log how (after a clean stop, or from checkpoints after a crash).
fn resume_agents(
    node: &str,
    runtime: &Runtime,
    opened: crate::store::Opened,
    resumed: &mut Vec<AgentId>,
) -> Arc<Store> {
    runtime.set_persist(opened.store.clone());
    runtime.set_first_id(opened.first_id);
    let how = if opened.after_crash {
        "from its last checkpoint (the node did not stop cleanly)"
    } else {
        "where it was at the clean stop"
    };
    for ended in opened.ended {
        runtime.restore_ended(ended.id, AgentOutcome { result: ended.result });
    }
    let (mut count, mut set_aside) = (0, 0);
    for mut image in opened.images {
        let id = image.id.clone();
        let (name, language) = (image.name.clone(), itinerant_core::program::language_of(&image.snapshot));
        if opened.after_crash {
            // Output after this line may repeat output from before it.
            image.console.push_str("--- resumed from a checkpoint after a crash ---\n");
        }
        match runtime.restore(image) {
            Ok(()) => {
                tracing::info!(node = %node, "resumed agent {id} {how}");
                resumed.push(id);
                count += 1;
            }
            Err(e) => {
                // Refused (a snapshot or module that fails its checks, ...):
                // its image is set aside, never dropped, and it is reported
                // as ended with the reason rather than vanishing.
                tracing::warn!(node = %node, "could not resume agent {id}: {e}; its image is kept in unreadable_agents");
                let why = format!("could not be resumed on {node}: {e}");
                opened.store.set_aside(&id, &why);
                runtime.restore_refused(id, name, language, why);
                set_aside += 1;
            }
        }
    }
    if count + set_aside > 0 || opened.after_crash {
        let crash = if opened.after_crash { " after a crash" } else { "" };
        let refused = if set_aside > 0 { format!(", {set_aside} set aside as unreadable") } else { String::new() };
        tracing::info!(node = %node, "{count} agents resumed{crash}{refused}");
    }
    opened.store
}

/// A destination's side of a transfer (see `handoff.rs`): judged against
/// the fence; when new, the agent is restored, recorded durably with the
/// verdict; the caller answers, then starts it. Returns the transfer's key,
/// the answer and the agent to start. An image that cannot be decoded is a
/// protocol error (the link closes).
async fn accept_transfer(
    rt: &Runtime,
    links: &Links,
    kind: &str,
    bytes: &[u8],
) -> Result<(String, u64, Result<String, String>, Option<Prepared>), String> {
    let kind = DepartureKind::from_name(kind).ok_or_else(|| format!("unknown transfer kind \"{kind}\""))?;
    let image = crate::image::decode(bytes).map_err(|e| e.to_string())?;
    let (key, epoch) = (image.id.to_string(), image.epoch);
    let mut arrived = None;
    let _judging = links.judging.lock().await;
    // The agent itself (a jump or a platform move), not a copy or a child.
    let jump = kind.moves_the_agent().then_some(key.as_str());
    let answer = match handoff::judge(links.fence(&key)?.as_ref(), epoch, jump) {
        Verdict::Answer(a) => a,
        Verdict::Decide => {
            if kind.moves_the_agent() && rt.settle_overtaken_jump(&image.id, epoch) {
                tracing::info!(node = %rt.node(), "agent {key} came back at epoch {epoch}: its older jump from here succeeded");
            }
            let mut prepared = rt.prepare_arrival(kind, image);
            let to_store = match (&links.store, &prepared) {
                (Some(_), Ok(p)) => p.image_to_store().map_err(|e| prepared = Err(e)).ok(),
                _ => None,
            };
            let fence = Fence { epoch, outcome: prepared.as_ref().map(|p| p.id().to_string()).map_err(Clone::clone) };
            match &links.store {
                Some(store) => {
                    let (store, key, fence) = (store.clone(), key.clone(), fence.clone());
                    tokio::task::spawn_blocking(move || store.record_arrival(&key, &fence, to_store.as_ref()))
                        .await
                        .map_err(|e| e.to_string())??;
                }
                None => links.fences.set(&key, fence.clone()),
            }
            arrived = prepared.ok();
            fence.outcome
        }
    };
    Ok((key, epoch, answer, arrived))
}

/// The FIPA `failure` a sender gets for a message that could not be
/// delivered (code -1 for `agent_receive`).
pub fn failure(to: &str, why: &str, in_reply_to: Option<String>) -> Message {
    let mut acl = Acl { performative: "failure".into(), params: Vec::new() };
    acl.set("receiver", to);
    acl.set("content", why);
    if let Some(r) = in_reply_to {
        acl.set("in-reply-to", &r);
    }
    Message { from: None, code: -1, body: why.to_owned(), acl: Some(Box::new(acl)), hops: 0, seq: None }
}

/// Writes the frames queued for one peer, for as long as its queue
/// exists: connects, says hello, writes; when the connection breaks (the
/// peer crashed or stopped), connects again. The frames of a write that
/// failed are lost: transfers are sent again until answered, messages are
/// best effort. Ends when the queue is dropped (the link was replaced).
async fn serve_outbound(
    me: &str,
    listen: &str,
    (peer, addr): (&str, SocketAddr),
    tls: Option<Arc<NodeTls>>,
    mut rx: mpsc::Receiver<Frame>,
    status: control::LinkStatus,
) -> Result<(), String> {
    let mut failures = 0u32;
    loop {
        let mut stream = match connect(me, listen, (peer, addr), tls.as_deref()).await {
            Ok(s) => {
                failures = 0;
                s
            }
            Err(why) => {
                if rx.is_closed() {
                    return Ok(());
                }
                failures += 1;
                if failures == CONNECT_ATTEMPTS {
                    tracing::warn!(node = %me, "cannot reach {addr} ({why}); still trying");
                }
                tokio::time::sleep(Duration::from_millis(50 << failures.min(4))).await;
                continue;
            }
        };
        status.set_connected();
        let ended = write_frames(&mut stream, &mut rx).await;
        status.set_disconnected();
        match ended {
            Ok(()) => return Ok(()),
            Err(why) => tracing::warn!(node = %me, "link to {addr} broke ({why}); reconnecting"),
        }
    }
}

/// An accepted connection after its TLS handshake (when the node has TLS).
async fn secure(tcp: TcpStream, tls: Option<&NodeTls>) -> Result<(Stream, Peer), String> {
    match tls {
        Some(tls) => tls.accept(tcp).await,
        None => Ok((Stream::Plain(tcp), Peer::Insecure)),
    }
}

/// Connects to peer node `peer` (over TLS when the node has it) and says hello.
async fn connect(
    me: &str,
    listen: &str,
    (peer, addr): (&str, SocketAddr),
    tls: Option<&NodeTls>,
) -> Result<Stream, String> {
    if tls.is_none() && !addr.ip().is_loopback() {
        return Err(format!("a node without TLS credentials dials loopback only, not {addr}"));
    }
    let tcp = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err(e.to_string()),
        Err(_) => return Err("connection timed out".into()),
    };
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut stream = match tls {
        Some(tls) => tls.connect(peer, tcp).await?,
        None => Stream::Plain(tcp),
    };
    let hello = Wire::Hello { node: me.to_owned(), listen: listen.to_owned() };
    let frame = Frame { lane: Lane::Urgent, kind: hello.kind(), payload: hello.encode() };
    let said = async {
        stream.write_all(&frame.encode()).await?;
        stream.flush().await
    };
    tokio::time::timeout(CONNECT_TIMEOUT, said)
        .await
        .map_err(|_| "hello timed out".to_string())?
        .map_err(|e| e.to_string())?;
    Ok(stream)
}

/// Writes queued frames to `stream` until the queue is dropped (`Ok`) or
/// the connection breaks. The peer never writes on this connection, so a
/// readable end means it closed: noticed at once, not at the next write.
async fn write_frames(stream: &mut Stream, rx: &mut mpsc::Receiver<Frame>) -> Result<(), String> {
    let mut batch = Vec::new();
    let mut probe = [0u8; 64];
    loop {
        let frame = tokio::select! {
            f = rx.recv() => match f {
                Some(f) => f,
                None => return Ok(()),
            },
            r = stream.read(&mut probe) => return Err(match r {
                Ok(0) => "closed by the peer".into(),
                Ok(_) => "the peer wrote on an outbound link".into(),
                Err(e) => e.to_string(),
            }),
        };
        batch.clear();
        batch.extend(frame.encode());
        // Coalesce what is already queued into one write.
        while batch.len() < 64 * 1024 {
            match rx.try_recv() {
                Ok(f) => batch.extend(f.encode()),
                Err(_) => break,
            }
        }
        let written = async {
            stream.write_all(&batch).await?;
            stream.flush().await
        };
        match tokio::time::timeout(WRITE_TIMEOUT, written).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err(format!("a write took longer than {WRITE_TIMEOUT:?}")),
        }
    }
}

/// Reads one inbound connection from `remote`, authenticated as `who`,
/// and delivers its messages.
async fn serve_inbound(
    mut stream: Stream,
    who: Peer,
    remote: SocketAddr,
    rt: &Arc<Runtime>,
    links: &Arc<Links>,
    max_frame: usize,
) -> Result<(), String> {
    let mut decoder = FrameDecoder::new(max_frame);
    let mut buf = vec![0u8; 64 * 1024];
    let mut peer: Option<String> = None;
    loop {
        let n = match tokio::time::timeout(IDLE_TIMEOUT, stream.read(&mut buf)).await {
            // A TLS peer that closes without close_notify (it crashed)
            // ends the stream too: frames delimit themselves.
            Ok(Ok(0)) => return decoder.finish().map_err(|e| e.to_string()),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return decoder.finish().map_err(|e| e.to_string())
            }
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("idle too long".into()),
        };
        let frames = decoder.push(&buf[..n]).map_err(|e| e.to_string())?;
        if peer.is_none() && frames.first().is_some_and(|f| f.kind == control::KIND_CLIENT_HELLO) {
            let listen = *links.listen.lock().unwrap_or_else(|e| e.into_inner());
            let view = control::NodeView {
                runtime: rt,
                listen,
                peers: &links.peers,
                libraries: links.libraries.clone(),
                placement: &links.placement,
                objects: &links.objects,
                owners: &links.owners,
                services: &links.services,
                directory: &links.directory,
                wasm: &links.wasm,
            };
            return control::serve_client(stream, decoder, frames, view).await;
        }
        // The agent messages of this read go to the runtime together (one
        // registry lock for all), in the order they came.
        let mut batch: Vec<Inbound> = Vec::new();
        for frame in frames {
            if let (Some(from), true) = (&peer, crate::objects::proto::is_object_kind(frame.kind)) {
                deliver(rt, links, from, std::mem::take(&mut batch));
                links.objects.on_frame(from, &frame)?;
                continue;
            }
            let wire = Wire::decode(frame.kind, &frame.payload).map_err(|e| e.to_string())?;
            match (&peer, wire) {
                (None, Wire::Hello { node, listen }) => {
                    who.check_node(&node)?;
                    // Learn a node we have no link to from its hello.
                    if node != links.node && !links.has(&node) {
                        if let Ok(mut addr) = listen.parse::<SocketAddr>() {
                            if addr.ip().is_unspecified() {
                                addr.set_ip(remote.ip());
                            }
                            links.add(&node, addr, rt);
                        }
                    }
                    peer = Some(node);
                }
                (None, _) => return Err("the first frame was not a hello".into()),
                (Some(_), Wire::Hello { .. }) => return Err("a second hello".into()),
                (Some(from), Wire::DfUpdate { agent, services }) => {
                    // A node speaks for its own agents, and to their home
                    // for those that moved to it (`directory_update_from`);
                    // other nodes ignore the latter and hear it from the home.
                    let Some(id) = AgentId::parse(&agent) else {
                        return Err(format!("directory update for \"{agent}\" from node {from}"));
                    };
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    let services = services.into_iter().map(|p| p.into_iter().collect()).collect();
                    if !rt.directory_update_from(from, &id, services) {
                        tracing::debug!(node = %rt.node(), "directory update for {id} from {from} ignored");
                    }
                }
                (Some(from), Wire::Transfer { kind, image }) => {
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    let (agent, epoch, outcome, arrived) = accept_transfer(rt, links, &kind, &image).await?;
                    let reply = Wire::TransferReply { agent, epoch, outcome };
                    if let Err(why) = links.send_frame(from, wire_frame(&reply)) {
                        tracing::warn!(node = %rt.node(), "transfer answer to {from} not sent: {why}");
                    }
                    // Started after the answer is queued: if it moves on at
                    // once, the answer still reaches the source first.
                    if let Some(p) = arrived {
                        let id = p.id().clone();
                        if let Err(e) = rt.admit_and_run(p) {
                            tracing::warn!(node = %rt.node(), "agent {id} recorded but not started: {e}");
                        }
                    }
                }
                (Some(from), Wire::ModuleOffer { hash }) => {
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    let _ = links.send_frame(from, links.wasm.answer_offer(&hash));
                }
                (Some(from), Wire::ModuleWanted { hash, wanted }) => {
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    let (data, held) = links.wasm.offer_answered(from, &hash, wanted);
                    if let Some(f) = data {
                        let _ = links.send_frame(from, f);
                    }
                    for (key, f) in held {
                        links
                            .unanswered
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(key, (from.clone(), f.clone()));
                        let _ = links.send_frame(from, f);
                    }
                }
                (Some(from), Wire::ModuleData { hash, module }) => {
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    // Compiling may take a while: off the reader, but before
                    // the transfer behind it is judged (it waits for this).
                    let (wasm, from2) = (links.wasm.clone(), from.clone());
                    let _ = tokio::task::spawn_blocking(move || wasm.module_received(&from2, &hash, &module)).await;
                }
                (Some(from), Wire::TransferReply { agent, epoch, outcome }) => {
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    let id = AgentId::parse(&agent).ok_or_else(|| format!("transfer reply for \"{agent}\""))?;
                    links.unanswered.lock().unwrap_or_else(|e| e.into_inner()).remove(&(agent, epoch));
                    if outcome.as_ref().is_err_and(|why| why.contains("is not on this node")) {
                        links.wasm.forget_peer(from);
                    }
                    let outcome = match outcome.map(|new| AgentId::parse(&new).ok_or(new)) {
                        Ok(Ok(new_id)) => DepartureOutcome::Accepted(new_id),
                        Ok(Err(bad)) => return Err(format!("transfer accepted as bad id \"{bad}\"")),
                        Err(why) => DepartureOutcome::Refused(why),
                    };
                    rt.departure_done(&id, epoch, outcome);
                }
                (Some(from), Wire::ResourceCall { call, op }) => {
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    if call == 0 {
                        // Posted (console output): served in arrival order.
                        if let Err(why) = rt.serve_resource_call(&op) {
                            tracing::warn!(node = %rt.node(), "resource operation from {from} failed: {why}");
                        }
                    } else {
                        // Files and the store may block: off the reader.
                        let (rt, links, from) = (rt.clone(), links.clone(), from.clone());
                        tokio::task::spawn_blocking(move || {
                            let result = rt.serve_resource_call(&op);
                            let reply = Wire::ResourceReply { call, result };
                            if let Err(why) = links.send_frame(&from, wire_frame(&reply)) {
                                tracing::warn!(node = %rt.node(), "resource answer to {from} not sent: {why}");
                            }
                        });
                    }
                }
                (Some(_), Wire::ResourceReply { call, result }) => {
                    if let Some(tx) = links.calls.lock().unwrap_or_else(|e| e.into_inner()).remove(&call) {
                        let _ = tx.try_send(result);
                    }
                }
                (Some(from), Wire::Load { runnable, agents, draining }) => {
                    let load = itinerant_core::Load { runnable: runnable as usize, agents: agents as usize };
                    links.placement.loads.record(from, load, draining);
                }
                (Some(from), Wire::Location { agent, node, epoch }) => {
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    match AgentId::parse(&agent) {
                        Some(id) if id.home() == links.node => rt.location_update(&id, &node, epoch),
                        _ => return Err(format!("location of \"{agent}\", not an agent of this node")),
                    }
                }
                (Some(from), Wire::LibraryRequest { ticket, name, requirement }) => {
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    // A requirement this node cannot read finds nothing.
                    let found = Requirement::decode(&requirement)
                        .ok()
                        .and_then(|req| links.libraries.find(&name, &req))
                        .map(|lib| (lib.version, lib.script));
                    let reply = Wire::LibraryReply { ticket, name, found };
                    if let Err(why) = links.send_frame(from, wire_frame(&reply)) {
                        tracing::warn!(node = %rt.node(), "library answer to {from} not sent: {why}");
                    }
                }
                (Some(from), Wire::LibraryReply { ticket, name, found }) => {
                    deliver(rt, links, from, std::mem::take(&mut batch));
                    library_answer(rt, links, from, ticket, &name, found).await;
                }
                (Some(_), w) => {
                    let (to, msg) = w.into_message().map_err(|e| e.to_string())?;
                    batch.push(Inbound { to, msg });
                }
            }
        }
        if let Some(from) = &peer {
            deliver(rt, links, from, batch);
        }
    }
}

/// A peer's answer to one of this node's library fetches: a library found
/// is cached durably, then loaded by the agent; when no peer has one, the
/// agent fails at once.
async fn library_answer(
    rt: &Runtime,
    links: &Links,
    from: &str,
    ticket: u64,
    name: &str,
    found: Option<(String, String)>,
) {
    let (step, complaint) = links.fetches.lock().unwrap_or_else(|e| e.into_inner()).answer(ticket, name, found);
    if let Some(why) = complaint {
        tracing::warn!(node = %rt.node(), "library answer from {from} not used: {why}");
    }
    match step {
        FetchStep::Found(fetch, lib) => {
            let (libraries, cached) = (links.libraries.clone(), lib.clone());
            // Not cached (a conflict, the limit, the store): still loaded.
            match tokio::task::spawn_blocking(move || libraries.cache(&cached)).await {
                Ok(Ok(_)) => {}
                Ok(Err(why)) => {
                    tracing::warn!(node = %rt.node(), "library {} {} not cached: {why}", lib.name, lib.version)
                }
                Err(e) => tracing::warn!(node = %rt.node(), "library {} not cached: {e}", lib.name),
            }
            rt.library_fetched(&fetch.agent, fetch.agent_ticket, Some(lib));
        }
        FetchStep::NotFound(fetch) => rt.library_fetched(&fetch.agent, fetch.agent_ticket, None),
        FetchStep::Waiting | FetchStep::Unknown => {}
    }
}

/// An agent message received from a peer.
struct Inbound {
    to: AgentId,
    msg: Message,
}

/// Delivers the messages `from` a peer to the runtime in one batch; each
/// one that cannot be delivered is logged and its sender told with a FIPA
/// failure (never about a failure).
fn deliver(rt: &Runtime, links: &Links, from: &str, batch: Vec<Inbound>) {
    if batch.is_empty() {
        return;
    }
    // What a failure report needs, kept before the messages are handed over.
    let notes: Vec<(AgentId, Option<AgentId>, Option<String>, bool)> = batch
        .iter()
        .map(|m| {
            let reply_with = m.msg.acl.as_ref().and_then(|a| a.get("reply-with").map(str::to_owned));
            let failed = m.msg.acl.as_ref().is_some_and(|a| a.performative == "failure");
            (m.to.clone(), m.msg.from.clone(), reply_with, failed)
        })
        .collect();
    let results = rt.send_many(batch.into_iter().map(|m| (m.to, m.msg)).collect());
    for ((to, sender, reply_with, failed), r) in notes.into_iter().zip(results) {
        if let Err(e) = r {
            tracing::warn!(node = %rt.node(), "message from node {from} not delivered: {e}");
            if let (Some(sender), false) = (sender, failed) {
                let _ = links.route(&sender, failure(to.as_str(), &e.to_string(), reply_with));
            }
        }
    }
}
