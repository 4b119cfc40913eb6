//! The control protocol: how a client (the `itin` CLI) drives a running
//! node over the node's own listening port.
//!
//! A client connection starts with a [`ClientHello`] frame instead of the
//! node-to-node hello; after it the client sends [`Request`] frames and the
//! node answers each with a [`Response`] carrying the same id, in order.
//! Payload encoding follows `proto`: big-endian lengths and integers, every
//! length checked against the bytes left, and exactly one encoding per
//! value (decoding then encoding gives back the same bytes).
//!
//! A request that decodes but cannot be served (no such agent, a bad
//! performative) gets an error response; a request whose body does not
//! decode gets an error response too when its id can be read. A frame that
//! is not a request, or bytes that are not frames, close the connection
//! with a logged reason.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use itinerant_core::acl::{PARAMETERS, PERFORMATIVES};
use itinerant_core::df::Query;
use itinerant_core::{Acl, AgentId, AgentOutcome, AgentSummary, Message, MoveStatus, Runtime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::libraries::{Libraries, LibraryRow};
use crate::net::frame::{Frame, FrameDecoder, Lane};
use crate::net::tls::Stream;
use crate::placement::{DrainReport, Placement};
use crate::proto::{put_opt, put_str, DecodeError, Reader};
use crate::signed::OwnerRequest;

/// Frame kinds of the control protocol (apart from the node kinds in `proto`).
pub const KIND_CLIENT_HELLO: u8 = 16;
pub const KIND_REQUEST: u8 = 17;
pub const KIND_RESPONSE: u8 = 18;

/// The version a client announces; the node refuses others. 2: the agent
/// row ends with the agent's language.
pub const PROTOCOL_VERSION: u32 = 2;
/// Largest agent script a client may submit.
pub const MAX_SCRIPT_BYTES: usize = 4 << 20;
/// Most variables a submit may set.
pub const MAX_VARS: usize = 1024;
/// Most console bytes one `Logs` answer carries (the client asks again).
pub const MAX_LOG_CHUNK: usize = 1 << 20;

/// How long a client connection may stay silent before it is closed.
const CLIENT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long writing one response may take (a client that does not read).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a `Migrate` request waits for the move's outcome (the client
/// waits a little longer for the answer).
pub const MIGRATE_WAIT: Duration = Duration::from_secs(8);

/// The first frame of a client connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    pub version: u32,
    /// Who is asking (for logs), e.g. "itin 0.1.0".
    pub client: String,
}

/// What a client asks for. Agents are named by id (`3@alpha`) or by the
/// name they registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestBody {
    /// Start an agent; the answer is `Submitted`.
    Submit {
        script: String,
        name: Option<String>,
        vars: Vec<(String, String)>,
    },
    /// Every agent of the node; `Agents`.
    Agents,
    /// One agent; `Agent`.
    AgentInfo {
        id: String,
    },
    Kill {
        id: String,
    },
    Suspend {
        id: String,
    },
    Resume {
        id: String,
    },
    /// Console text from absolute byte offset `from`; `Logs`.
    Logs {
        id: String,
        from: u64,
    },
    /// A FIPA ACL message from outside the platform (no sender); `params`
    /// are the other ACL parameters (conversation-id, protocol, ...).
    Send {
        to: String,
        performative: String,
        content: String,
        params: Vec<(String, String)>,
    },
    /// Directory entries whose properties equal all of these; `Found`.
    DfSearch {
        properties: Vec<(String, String)>,
    },
    /// This node and its peers; `Nodes`.
    Nodes,
    /// Publish a library on this node (code on demand); `Published`.
    LibPublish {
        name: String,
        version: String,
        script: String,
    },
    /// The libraries this node has; `Libraries`.
    LibList,
    /// Move an agent of this node to `node`, whatever it is doing; answered
    /// when the move is settled (`Migrated`) or refused, within `MIGRATE_WAIT`.
    Migrate {
        id: String,
        node: String,
    },
    /// Refuse new agents and move every agent to the peers; `Drain`.
    Drain,
    /// How the drain stands; `Drain`.
    DrainStatus,
    /// Take new agents again; `Done`.
    Undrain,
    /// The object server (`objects`); `Object`.
    Object(crate::objects::proto::ObjectRequest),
    /// Owners and policy (tags 20–29, `signed.rs`).
    Owner(crate::signed::OwnerRequest),
    /// The node's services (tags 45–49, `services/proto.rs`).
    Service(crate::services::proto::ServiceRequest),
    /// About the node's fronts and its agents' cache (tags 50–59).
    Front(crate::front::proto::FrontRequest),
    /// The cluster directory (tags 60–64, `cluster/proto.rs`).
    Cluster(crate::cluster::ClusterRequest),
    /// WebAssembly agents (tags 70–79, `wasm_code.rs`).
    Wasm(crate::wasm_code::WasmRequest),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub id: u64,
    pub body: RequestBody,
}

/// One agent as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentRow {
    pub id: String,
    pub name: Option<String>,
    /// active, waiting, suspended or deleted.
    pub state: String,
    pub mailbox: u64,
    pub age_ms: u64,
    /// Bytes ever written to its console.
    pub console_len: u64,
    /// Its program's language: tcl or wasm (empty when the node does not
    /// know it: an outcome kept from before a restart, a forwarding entry).
    pub language: String,
}

/// A peer as the node sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerRow {
    pub name: String,
    pub addr: String,
    /// The outbound link is connected (not connecting, not given up).
    pub connected: bool,
    /// Its last load report, if fresh: runnable agents, agents.
    pub load: Option<(u64, u64)>,
    /// It said it is draining.
    pub draining: bool,
}

/// How an agent ended: its result, or its errorInfo.
pub type Ending = Result<String, String>;

/// What the node answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyBody {
    Submitted {
        id: String,
    },
    Agents(Vec<AgentRow>),
    Agent {
        row: AgentRow,
        ending: Option<Ending>,
    },
    /// Kill, suspend, resume and send.
    Done,
    /// Console text; `next` is the offset to ask for next, `missed` the
    /// bytes already dropped before `text`; `ending` is set once the agent
    /// ended and `text` reaches the end of its console.
    Logs {
        text: String,
        next: u64,
        missed: u64,
        state: String,
        ending: Option<Ending>,
    },
    /// (agent, service description) pairs.
    Found(Vec<(String, Vec<(String, String)>)>),
    Nodes {
        node: String,
        listen: String,
        /// This node refuses new agents.
        draining: bool,
        peers: Vec<PeerRow>,
    },
    /// The library is published; `created` is false when the same
    /// name, version and script were published before.
    Published {
        created: bool,
    },
    Libraries(Vec<LibraryRow>),
    /// The node the agent moved to.
    Migrated {
        node: String,
    },
    Drain(DrainReport),
    Object(crate::objects::proto::ObjectReply),
    /// The policy was read again (`itin node reload-policy`).
    PolicyReloaded {
        summary: String,
    },
    /// The node's services (tags 45–49).
    Service(crate::services::proto::ServiceReply),
    /// A dashboard session: its token, and the dashboard's address if it
    /// serves.
    DashboardSession {
        token: String,
        address: Option<String>,
    },
    /// The node's fronts and its agents' cache (tags 50–59).
    Front(crate::front::proto::FrontReply),
    Cluster(crate::cluster::ClusterReply),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub id: u64,
    pub result: Result<ReplyBody, String>,
}

// ----- encoding ---------------------------------------------------------

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_be_bytes());
}

fn put_count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_be_bytes());
}

fn put_pairs(out: &mut Vec<u8>, pairs: &[(String, String)]) {
    put_count(out, pairs.len());
    for (k, v) in pairs {
        put_str(out, k);
        put_str(out, v);
    }
}

fn put_ending(out: &mut Vec<u8>, e: &Option<Ending>) {
    match e {
        None => out.push(0),
        Some(Ok(r)) => {
            out.push(1);
            put_str(out, r);
        }
        Some(Err(e)) => {
            out.push(2);
            put_str(out, e);
        }
    }
}

fn put_row(out: &mut Vec<u8>, row: &AgentRow) {
    put_str(out, &row.id);
    put_opt(out, row.name.as_deref());
    put_str(out, &row.state);
    put_u64(out, row.mailbox);
    put_u64(out, row.age_ms);
    put_u64(out, row.console_len);
    put_str(out, &row.language);
}

/// Smallest encoding of a pair of strings (two empty ones).
const MIN_PAIR: usize = 8;
/// Smallest encoding of an `AgentRow`.
const MIN_ROW: usize = 4 + 1 + 4 + 8 * 3 + 4;
/// Smallest encoding of a `PeerRow`.
const MIN_PEER: usize = 4 + 4 + 1 + 1 + 1;
/// Smallest encoding of a `LibraryRow`.
const MIN_LIBRARY_ROW: usize = 4 + 4 + 8 + 1;

fn pairs(r: &mut Reader) -> Result<Vec<(String, String)>, DecodeError> {
    let n = r.count(MIN_PAIR)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push((r.str()?, r.str()?));
    }
    Ok(out)
}

fn ending(r: &mut Reader) -> Result<Option<Ending>, DecodeError> {
    match r.byte()? {
        0 => Ok(None),
        1 => Ok(Some(Ok(r.str()?))),
        2 => Ok(Some(Err(r.str()?))),
        f => Err(DecodeError(format!("bad ending flag {f}"))),
    }
}

fn row(r: &mut Reader) -> Result<AgentRow, DecodeError> {
    Ok(AgentRow {
        id: r.str()?,
        name: r.opt()?,
        state: r.str()?,
        mailbox: r.u64()?,
        age_ms: r.u64()?,
        console_len: r.u64()?,
        language: r.str()?,
    })
}

fn bool_flag(r: &mut Reader) -> Result<bool, DecodeError> {
    match r.byte()? {
        0 => Ok(false),
        1 => Ok(true),
        f => Err(DecodeError(format!("bad flag {f}"))),
    }
}

fn finish<T>(r: &Reader, value: T) -> Result<T, DecodeError> {
    match r.left() {
        0 => Ok(value),
        n => Err(DecodeError(format!("{n} bytes left over"))),
    }
}

impl ClientHello {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.version.to_be_bytes());
        put_str(&mut out, &self.client);
        out
    }

    pub fn decode(payload: &[u8]) -> Result<ClientHello, DecodeError> {
        let mut r = Reader::new(payload);
        let hello = ClientHello { version: r.u32()?, client: r.str()? };
        finish(&r, hello)
    }

    pub fn frame(&self) -> Frame {
        Frame { lane: Lane::Urgent, kind: KIND_CLIENT_HELLO, payload: self.encode() }
    }
}

impl Request {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_u64(&mut out, self.id);
        let one_id = |out: &mut Vec<u8>, tag: u8, id: &str| {
            out.push(tag);
            put_str(out, id);
        };
        match &self.body {
            RequestBody::Submit { script, name, vars } => {
                out.push(1);
                put_str(&mut out, script);
                put_opt(&mut out, name.as_deref());
                put_pairs(&mut out, vars);
            }
            RequestBody::Agents => out.push(2),
            RequestBody::AgentInfo { id } => one_id(&mut out, 3, id),
            RequestBody::Kill { id } => one_id(&mut out, 4, id),
            RequestBody::Suspend { id } => one_id(&mut out, 5, id),
            RequestBody::Resume { id } => one_id(&mut out, 6, id),
            RequestBody::Logs { id, from } => {
                one_id(&mut out, 7, id);
                put_u64(&mut out, *from);
            }
            RequestBody::Send { to, performative, content, params } => {
                out.push(8);
                put_str(&mut out, to);
                put_str(&mut out, performative);
                put_str(&mut out, content);
                put_pairs(&mut out, params);
            }
            RequestBody::DfSearch { properties } => {
                out.push(9);
                put_pairs(&mut out, properties);
            }
            RequestBody::Nodes => out.push(10),
            RequestBody::LibPublish { name, version, script } => {
                out.push(11);
                put_str(&mut out, name);
                put_str(&mut out, version);
                put_str(&mut out, script);
            }
            RequestBody::LibList => out.push(12),
            RequestBody::Migrate { id, node } => {
                one_id(&mut out, 13, id);
                put_str(&mut out, node);
            }
            RequestBody::Drain => out.push(14),
            RequestBody::DrainStatus => out.push(15),
            RequestBody::Undrain => out.push(16),
            RequestBody::Object(o) => {
                out.push(30);
                o.encode_into(&mut out);
            }
            RequestBody::Owner(req) => req.encode(&mut out),
            RequestBody::Service(req) => req.encode(&mut out),
            RequestBody::Front(req) => req.encode(&mut out),
            RequestBody::Cluster(req) => req.encode(&mut out),
            RequestBody::Wasm(req) => req.encode(&mut out),
        }
        out
    }

    /// The request's id, if the payload is long enough to hold one (so
    /// that an undecodable request can still be answered).
    pub fn peek_id(payload: &[u8]) -> Option<u64> {
        Reader::new(payload).u64().ok()
    }

    pub fn decode(payload: &[u8]) -> Result<Request, DecodeError> {
        let mut r = Reader::new(payload);
        let id = r.u64()?;
        let body = match r.byte()? {
            1 => RequestBody::Submit { script: r.str()?, name: r.opt()?, vars: pairs(&mut r)? },
            2 => RequestBody::Agents,
            3 => RequestBody::AgentInfo { id: r.str()? },
            4 => RequestBody::Kill { id: r.str()? },
            5 => RequestBody::Suspend { id: r.str()? },
            6 => RequestBody::Resume { id: r.str()? },
            7 => RequestBody::Logs { id: r.str()?, from: r.u64()? },
            8 => RequestBody::Send { to: r.str()?, performative: r.str()?, content: r.str()?, params: pairs(&mut r)? },
            9 => RequestBody::DfSearch { properties: pairs(&mut r)? },
            10 => RequestBody::Nodes,
            11 => RequestBody::LibPublish { name: r.str()?, version: r.str()?, script: r.str()? },
            12 => RequestBody::LibList,
            13 => RequestBody::Migrate { id: r.str()?, node: r.str()? },
            14 => RequestBody::Drain,
            15 => RequestBody::DrainStatus,
            16 => RequestBody::Undrain,
            30 => RequestBody::Object(crate::objects::proto::ObjectRequest::decode_from(&mut r)?),
            t @ 20..=29 => RequestBody::Owner(crate::signed::OwnerRequest::decode(t, &mut r)?),
            t @ 45..=49 => RequestBody::Service(crate::services::proto::ServiceRequest::decode(t, &mut r)?),
            t @ 50..=59 => RequestBody::Front(crate::front::proto::FrontRequest::decode(t, &mut r)?),
            t @ 60..=64 => RequestBody::Cluster(crate::cluster::ClusterRequest::decode(t, &mut r)?),
            t @ 70..=79 => RequestBody::Wasm(crate::wasm_code::WasmRequest::decode(t, &mut r)?),
            t => return Err(DecodeError(format!("unknown request {t}"))),
        };
        finish(&r, Request { id, body })
    }

    pub fn frame(&self) -> Frame {
        Frame { lane: Lane::Data, kind: KIND_REQUEST, payload: self.encode() }
    }
}

impl Response {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        put_u64(&mut out, self.id);
        let body = match &self.result {
            Ok(body) => body,
            Err(e) => {
                out.push(0);
                put_str(&mut out, e);
                return out;
            }
        };
        match body {
            ReplyBody::Submitted { id } => {
                out.push(1);
                put_str(&mut out, id);
            }
            ReplyBody::Agents(rows) => {
                out.push(2);
                put_count(&mut out, rows.len());
                for r in rows {
                    put_row(&mut out, r);
                }
            }
            ReplyBody::Agent { row, ending } => {
                out.push(3);
                put_row(&mut out, row);
                put_ending(&mut out, ending);
            }
            ReplyBody::Done => out.push(4),
            ReplyBody::Logs { text, next, missed, state, ending } => {
                out.push(5);
                put_str(&mut out, text);
                put_u64(&mut out, *next);
                put_u64(&mut out, *missed);
                put_str(&mut out, state);
                put_ending(&mut out, ending);
            }
            ReplyBody::Found(found) => {
                out.push(6);
                put_count(&mut out, found.len());
                for (agent, service) in found {
                    put_str(&mut out, agent);
                    put_pairs(&mut out, service);
                }
            }
            ReplyBody::Nodes { node, listen, draining, peers } => {
                out.push(7);
                put_str(&mut out, node);
                put_str(&mut out, listen);
                out.push(u8::from(*draining));
                put_count(&mut out, peers.len());
                for p in peers {
                    put_str(&mut out, &p.name);
                    put_str(&mut out, &p.addr);
                    out.push(u8::from(p.connected));
                    match p.load {
                        Some((runnable, agents)) => {
                            out.push(1);
                            put_u64(&mut out, runnable);
                            put_u64(&mut out, agents);
                        }
                        None => out.push(0),
                    }
                    out.push(u8::from(p.draining));
                }
            }
            ReplyBody::Published { created } => {
                out.push(8);
                out.push(u8::from(*created));
            }
            ReplyBody::Libraries(rows) => {
                out.push(9);
                put_count(&mut out, rows.len());
                for l in rows {
                    put_str(&mut out, &l.name);
                    put_str(&mut out, &l.version);
                    put_u64(&mut out, l.bytes);
                    out.push(u8::from(l.published));
                }
            }
            ReplyBody::Migrated { node } => {
                out.push(10);
                put_str(&mut out, node);
            }
            ReplyBody::Drain(d) => {
                out.push(11);
                for n in [d.total, d.moved, d.ended, d.remaining] {
                    put_u64(&mut out, n);
                }
                put_pairs(&mut out, &d.failed);
                put_opt(&mut out, d.stalled.as_deref());
                out.push(u8::from(d.done));
            }
            ReplyBody::Object(o) => {
                out.push(30);
                o.encode_into(&mut out);
            }
            ReplyBody::PolicyReloaded { summary } => {
                out.push(20);
                put_str(&mut out, summary);
            }
            ReplyBody::Service(reply) => reply.encode(&mut out),
            ReplyBody::DashboardSession { token, address } => {
                out.push(23);
                put_str(&mut out, token);
                put_opt(&mut out, address.as_deref());
            }
            ReplyBody::Front(reply) => reply.encode(&mut out),
            ReplyBody::Cluster(reply) => reply.encode(&mut out),
        }
        out
    }

    pub fn decode(payload: &[u8]) -> Result<Response, DecodeError> {
        let mut r = Reader::new(payload);
        let id = r.u64()?;
        let result = match r.byte()? {
            0 => Err(r.str()?),
            1 => Ok(ReplyBody::Submitted { id: r.str()? }),
            2 => {
                let n = r.count(MIN_ROW)?;
                let mut rows = Vec::with_capacity(n);
                for _ in 0..n {
                    rows.push(row(&mut r)?);
                }
                Ok(ReplyBody::Agents(rows))
            }
            3 => Ok(ReplyBody::Agent { row: row(&mut r)?, ending: ending(&mut r)? }),
            4 => Ok(ReplyBody::Done),
            5 => Ok(ReplyBody::Logs {
                text: r.str()?,
                next: r.u64()?,
                missed: r.u64()?,
                state: r.str()?,
                ending: ending(&mut r)?,
            }),
            6 => {
                // Each entry: an agent string and a count.
                let n = r.count(8)?;
                let mut found = Vec::with_capacity(n);
                for _ in 0..n {
                    found.push((r.str()?, pairs(&mut r)?));
                }
                Ok(ReplyBody::Found(found))
            }
            7 => {
                let (node, listen, draining) = (r.str()?, r.str()?, bool_flag(&mut r)?);
                let n = r.count(MIN_PEER)?;
                let mut peers = Vec::with_capacity(n);
                for _ in 0..n {
                    let (name, addr, connected) = (r.str()?, r.str()?, bool_flag(&mut r)?);
                    let load = match bool_flag(&mut r)? {
                        true => Some((r.u64()?, r.u64()?)),
                        false => None,
                    };
                    peers.push(PeerRow { name, addr, connected, load, draining: bool_flag(&mut r)? });
                }
                Ok(ReplyBody::Nodes { node, listen, draining, peers })
            }
            8 => Ok(ReplyBody::Published { created: bool_flag(&mut r)? }),
            9 => {
                let n = r.count(MIN_LIBRARY_ROW)?;
                let mut rows = Vec::with_capacity(n);
                for _ in 0..n {
                    rows.push(LibraryRow {
                        name: r.str()?,
                        version: r.str()?,
                        bytes: r.u64()?,
                        published: bool_flag(&mut r)?,
                    });
                }
                Ok(ReplyBody::Libraries(rows))
            }
            10 => Ok(ReplyBody::Migrated { node: r.str()? }),
            11 => Ok(ReplyBody::Drain(DrainReport {
                total: r.u64()?,
                moved: r.u64()?,
                ended: r.u64()?,
                remaining: r.u64()?,
                failed: pairs(&mut r)?,
                stalled: r.opt()?,
                done: bool_flag(&mut r)?,
            })),
            30 => Ok(ReplyBody::Object(crate::objects::proto::ObjectReply::decode_from(&mut r)?)),
            20 => Ok(ReplyBody::PolicyReloaded { summary: r.str()? }),
            23 => Ok(ReplyBody::DashboardSession { token: r.str()?, address: r.opt()? }),
            t @ 45..=49 => Ok(ReplyBody::Service(crate::services::proto::ServiceReply::decode(t, &mut r)?)),
            t @ 50..=59 => Ok(ReplyBody::Front(crate::front::proto::FrontReply::decode(t, &mut r)?)),
            t @ 60..=64 => Ok(ReplyBody::Cluster(crate::cluster::ClusterReply::decode(t, &mut r)?)),
            t => return Err(DecodeError(format!("unknown reply {t}"))),
        };
        finish(&r, Response { id, result })
    }

    pub fn frame(&self) -> Frame {
        Frame { lane: Lane::Data, kind: KIND_RESPONSE, payload: self.encode() }
    }
}

// ----- the node's side --------------------------------------------------

/// The node's peers as the control port reports them: where each one
/// listens and whether its outbound link is connected.
#[derive(Default)]
pub struct PeerTable {
    peers: Mutex<BTreeMap<String, (SocketAddr, Arc<AtomicBool>)>>,
}

/// Held by the task that writes a peer's link: marks the link connected,
/// and disconnected when the task ends (dropped).
pub struct LinkStatus(Arc<AtomicBool>);

impl LinkStatus {
    pub fn set_connected(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn set_disconnected(&self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

impl Drop for LinkStatus {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

impl PeerTable {
    /// Records a (new or replacing) link to `name` at `addr`; its writer
    /// keeps the returned status up to date. A replaced link's writer
    /// updates only its own, forgotten, flag.
    pub fn link(&self, name: &str, addr: SocketAddr) -> LinkStatus {
        let flag = Arc::new(AtomicBool::new(false));
        self.peers.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_owned(), (addr, flag.clone()));
        LinkStatus(flag)
    }

    /// Where peer `name` listens.
    pub fn addr_of(&self, name: &str) -> Option<SocketAddr> {
        self.peers.lock().unwrap_or_else(|e| e.into_inner()).get(name).map(|(a, _)| *a)
    }

    /// The peers, with their loads as `placement` last heard them.
    pub fn rows(&self, placement: &Placement) -> Vec<PeerRow> {
        let peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
        peers
            .iter()
            .map(|(name, (addr, up))| {
                let report = placement.loads.get(name);
                PeerRow {
                    name: name.clone(),
                    addr: addr.to_string(),
                    connected: up.load(Ordering::Relaxed),
                    load: report.as_ref().map(|p| (p.load.runnable as u64, p.load.agents as u64)),
                    draining: report.is_some_and(|p| p.draining),
                }
            })
            .collect()
    }
}

/// What a request handler needs to know about the node.
pub struct NodeView<'a> {
    pub runtime: &'a Runtime,
    pub listen: Option<SocketAddr>,
    pub peers: &'a PeerTable,
    pub libraries: Arc<Libraries>,
    pub placement: &'a Placement,
    pub objects: &'a Arc<crate::objects::Objects>,
    pub owners: &'a crate::signed::Owners,
    pub services: &'a Arc<crate::services::Services>,
    pub directory: &'a Arc<dyn crate::cluster::Directory>,
    pub wasm: &'a Arc<crate::wasm_code::WasmCode>,
}

/// Serves one client connection whose first frames (starting with the
/// client hello) are `first`; `decoder` holds whatever followed them.
pub async fn serve_client(
    mut stream: Stream,
    mut decoder: FrameDecoder,
    first: Vec<Frame>,
    node: NodeView<'_>,
) -> Result<(), String> {
    let mut frames = first.into_iter();
    let hello = frames.next().ok_or("no client hello")?;
    let hello = ClientHello::decode(&hello.payload).map_err(|e| format!("client hello: {e}"))?;
    if hello.version != PROTOCOL_VERSION {
        let refusal = Response {
            id: 0,
            result: Err(format!(
                "protocol version {} is not supported (this node speaks {PROTOCOL_VERSION})",
                hello.version
            )),
        };
        let _ = write_frame(&mut stream, &refusal.frame()).await;
        return Err(format!("client \"{}\" speaks protocol version {}", hello.client, hello.version));
    }
    let mut pending: Vec<Frame> = frames.collect();
    let mut buf = vec![0u8; 64 * 1024];
    let mut acting = crate::authz::Acting::at_connect(node.owners.policy.is_some());
    loop {
        let mut batch = std::mem::take(&mut pending).into_iter();
        while let Some(frame) = batch.next() {
            if frame.kind != KIND_REQUEST {
                return Err(format!("client sent a frame of kind {}, not a request", frame.kind));
            }
            let decoded = Request::decode(&frame.payload);
            let refusal = decoded.as_ref().ok().and_then(|req| {
                authorize(node.runtime, node.owners, &acting, &req.body).err().map(|why| (req.id, why))
            });
            let response = match decoded {
                _ if refusal.is_some() => {
                    let (id, why) = refusal.unwrap_or_default();
                    tracing::warn!(node = %node.runtime.node(), "refused a client request: {why}");
                    Response { id, result: Err(why) }
                }
                Ok(Request { id, body: RequestBody::Owner(OwnerRequest::Authenticate { owner, signature }) }) => {
                    Response { id, result: authenticate(&node, &stream, &mut acting, owner, &signature) }
                }
                Ok(Request { id, body: RequestBody::Owner(OwnerRequest::DashboardSession) }) => {
                    let session = node.owners.dashboard.open(acting.clone());
                    let address = node.owners.dashboard.address().map(|a| a.to_string());
                    Response { id, result: session.map(|token| ReplyBody::DashboardSession { token, address }) }
                }
                Ok(Request { id, body: RequestBody::Migrate { id: agent_id, node: dest } }) => {
                    Response { id, result: migrate(&node, &agent_id, &dest).await }
                }
                Ok(Request { id, body: RequestBody::Object(req) }) if crate::objects::channel::opens(&req) => {
                    let rest = batch.collect();
                    let socket = Some(crate::objects::oob::socket_of(&stream));
                    let objects = node.objects.clone();
                    return crate::objects::channel::serve(stream, decoder, rest, objects, (id, req), socket).await;
                }
                Ok(Request { id, body: RequestBody::Object(req) }) => {
                    Response { id, result: node.objects.handle(req).await.map(ReplyBody::Object) }
                }
                Ok(Request {
                    id,
                    body: RequestBody::Service(crate::services::proto::ServiceRequest::Connect { name }),
                }) => {
                    // The service's bytes may follow only once it answered.
                    if batch.next().is_some() || decoder.buffered() > 0 {
                        return Err("bytes after a service connect request, before its answer".into());
                    }
                    return node.services.connect(stream, id, &name).await;
                }
                Ok(Request { id, body: RequestBody::Cluster(req) }) => {
                    Response { id, result: crate::cluster::serve(node.directory, req).await.map(ReplyBody::Cluster) }
                }
                Ok(req) => Response { id: req.id, result: handle_async(&node, req.body).await },
                Err(e) => match Request::peek_id(&frame.payload) {
                    Some(id) => Response { id, result: Err(format!("bad request: {}", e.0)) },
                    None => return Err(format!("request without an id: {e}")),
                },
            };
            write_frame(&mut stream, &response.frame()).await?;
        }
        let n = match tokio::time::timeout(CLIENT_IDLE_TIMEOUT, stream.read(&mut buf)).await {
            Ok(Ok(0)) => return decoder.finish().map_err(|e| e.to_string()),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return decoder.finish().map_err(|e| e.to_string())
            }
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("client idle too long".into()),
        };
        pending = decoder.push(&buf[..n]).map_err(|e| e.to_string())?;
    }
}

/// May a client acting as `acting` make `body` here (`authz::check` with
/// the policy in force and the owners of this node's agents)?
pub(crate) fn authorize(
    runtime: &Runtime,
    owners: &crate::signed::Owners,
    acting: &crate::authz::Acting,
    body: &RequestBody,
) -> Result<(), String> {
    let policy = owners.policy.as_deref().map(|p| p as &dyn itinerant_core::Authority);
    let owner_of = |a: &str| agent(runtime, a).ok().map(|id| runtime.owner_of(&id));
    crate::authz::check(acting, body, policy, owner_of)
}

/// `OwnerRequest::Authenticate`: from now on the connection acts for
/// `owner`, if its signature of this connection's channel binding verifies
/// and the policy admits it.
fn authenticate(
    node: &NodeView<'_>,
    stream: &Stream,
    acting: &mut crate::authz::Acting,
    owner: itinerant_core::Owner,
    signature: &[u8; 64],
) -> Result<ReplyBody, String> {
    let binding = stream.channel_binding()?;
    itinerant_core::owner::verify_session(&owner, &binding, signature)?;
    if let Some(policy) = &node.owners.policy {
        itinerant_core::Authority::grant(policy.as_ref(), Some(&owner))?;
    }
    *acting = crate::authz::Acting::Owner(owner);
    Ok(ReplyBody::Done)
}

async fn write_frame(stream: &mut Stream, frame: &Frame) -> Result<(), String> {
    let written = async {
        stream.write_all(&frame.encode()).await?;
        stream.flush().await
    };
    match tokio::time::timeout(WRITE_TIMEOUT, written).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("client does not read its responses".into()),
    }
}

fn row_of(a: &AgentSummary) -> AgentRow {
    AgentRow {
        id: a.id.to_string(),
        name: a.name.clone(),
        state: a.state.name().to_owned(),
        mailbox: a.mailbox_len as u64,
        age_ms: a.age.as_millis().min(u64::MAX as u128) as u64,
        console_len: a.console_len,
        language: a.language.to_owned(),
    }
}

fn ending_of(o: Option<AgentOutcome>) -> Option<Ending> {
    o.map(|o| o.result)
}

/// An agent of this runtime by id or name: the live agent of that name,
/// else the newest ended one (so that its logs and result stay reachable).
fn agent(rt: &Runtime, id_or_name: &str) -> Result<AgentId, String> {
    rt.lookup(id_or_name)
        .or_else(|| rt.agents().into_iter().rev().find(|a| a.name.as_deref() == Some(id_or_name)).map(|a| a.id))
        .ok_or_else(|| format!("no agent \"{id_or_name}\""))
}

/// Serves one request; those that wait for the disk (publishing a
/// library) on the blocking pool.
async fn handle_async(node: &NodeView<'_>, body: RequestBody) -> Result<ReplyBody, String> {
    match body {
        RequestBody::LibPublish { name, version, script } => {
            let libraries = node.libraries.clone();
            let lib = itinerant_core::Library::new(&name, &version, script.clone())?;
            let created = tokio::task::spawn_blocking(move || libraries.publish(&name, &version, script))
                .await
                .map_err(|e| format!("publishing failed: {e}"))??;
            node.directory.library_published(&lib);
            Ok(ReplyBody::Published { created })
        }
        RequestBody::Wasm(req) => crate::wasm_code::handle(node, req).await,
        other => handle(node, other),
    }
}

/// `Migrate`: starts the move and waits (at most `MIGRATE_WAIT`) until
/// it is settled.
async fn migrate(node: &NodeView<'_>, id_or_name: &str, dest: &str) -> Result<ReplyBody, String> {
    let rt = node.runtime;
    let id = agent(rt, id_or_name)?;
    rt.migrate(&id, dest)?;
    let deadline = tokio::time::Instant::now() + MIGRATE_WAIT;
    loop {
        match rt.move_status(&id) {
            MoveStatus::Moved(node) => return Ok(ReplyBody::Migrated { node }),
            MoveStatus::Refused(why) => return Err(format!("agent {id} stays on node {}: {why}", rt.node())),
            MoveStatus::Ended => return Err(format!("agent {id} ended before it could move")),
            MoveStatus::Unknown => return Err(format!("no agent \"{id}\"")),
            MoveStatus::Pending if tokio::time::Instant::now() >= deadline => {
                return Err(format!("agent {id}: the move to {dest} is not settled after {MIGRATE_WAIT:?}"))
            }
            MoveStatus::Pending => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Refuses a submission over the limits or whose name is taken.
pub fn check_submission(
    rt: &Runtime,
    script: &str,
    name: Option<&str>,
    vars: &[(String, String)],
) -> Result<(), String> {
    if script.len() > MAX_SCRIPT_BYTES {
        return Err(format!("the script is larger than {MAX_SCRIPT_BYTES} bytes"));
    }
    if vars.len() > MAX_VARS {
        return Err(format!("more than {MAX_VARS} variables"));
    }
    if let Some(n) = name {
        if n.is_empty() {
            return Err("the name is empty".into());
        }
        if let Some(other) = rt.lookup(n) {
            return Err(format!("name \"{n}\" is taken by agent {other}"));
        }
    }
    Ok(())
}

/// Serves one request.
pub fn handle(node: &NodeView, body: RequestBody) -> Result<ReplyBody, String> {
    let rt = node.runtime;
    match body {
        RequestBody::Submit { script, name, vars } => {
            check_submission(rt, &script, name.as_deref(), &vars)?;
            let id = rt.spawn_with(&script, name.as_deref(), &vars)?;
            // The id is an acknowledgement: the agent must survive a crash
            // from now on (one short store commit; the client waits anyway).
            rt.flush_store();
            Ok(ReplyBody::Submitted { id: id.to_string() })
        }
        RequestBody::Agents => Ok(ReplyBody::Agents(rt.agents().iter().map(row_of).collect())),
        RequestBody::AgentInfo { id } => {
            let id = agent(rt, &id)?;
            let d = rt.agent_detail(&id).ok_or_else(|| format!("no agent \"{id}\""))?;
            Ok(ReplyBody::Agent { row: row_of(&d.summary), ending: ending_of(d.outcome) })
        }
        RequestBody::Kill { id } => rt.kill(&agent(rt, &id)?).map(|_| ReplyBody::Done),
        RequestBody::Suspend { id } => rt.suspend(&agent(rt, &id)?).map(|_| ReplyBody::Done),
        RequestBody::Resume { id } => rt.resume(&agent(rt, &id)?).map(|_| ReplyBody::Done),
        RequestBody::Logs { id, from } => {
            let id = agent(rt, &id)?;
            let c = rt.console_since(&id, from, MAX_LOG_CHUNK).ok_or_else(|| format!("no agent \"{id}\""))?;
            Ok(ReplyBody::Logs {
                text: c.text,
                next: c.next,
                missed: c.missed,
                state: c.state.name().to_owned(),
                ending: ending_of(c.outcome),
            })
        }
        RequestBody::Send { to, performative, content, params } => {
            if !PERFORMATIVES.contains(&performative.as_str()) {
                return Err(format!(
                    "bad performative \"{performative}\": must be one of {}",
                    PERFORMATIVES.join(", ")
                ));
            }
            let to = agent(rt, &to)?;
            let mut acl = Acl { performative, params: Vec::new() };
            for (k, v) in &params {
                // The sender is nobody; receiver and content are arguments.
                if !PARAMETERS.contains(&k.as_str()) || ["sender", "receiver", "content"].contains(&k.as_str()) {
                    return Err(format!("bad parameter \"{k}\": must be one of {}", PARAMETERS[2..].join(", ")));
                }
                acl.set(k, v);
            }
            acl.set("receiver", to.as_str());
            acl.set("content", &content);
            let msg = Message { from: None, code: 0, body: content, acl: Some(Box::new(acl)), hops: 0, seq: None };
            rt.send(&to, msg).map(|_| ReplyBody::Done).map_err(|e| e.to_string())
        }
        RequestBody::DfSearch { properties } => {
            let found = rt.df_search(&Query { properties });
            Ok(ReplyBody::Found(found.into_iter().map(|(id, d)| (id.to_string(), d.into_iter().collect())).collect()))
        }
        RequestBody::Nodes => Ok(ReplyBody::Nodes {
            node: rt.node().to_owned(),
            listen: node.listen.map(|a| a.to_string()).unwrap_or_default(),
            draining: rt.is_draining(),
            peers: node.peers.rows(node.placement),
        }),
        RequestBody::LibPublish { name, version, script } => {
            node.libraries.publish(&name, &version, script).map(|created| ReplyBody::Published { created })
        }
        RequestBody::LibList => Ok(ReplyBody::Libraries(node.libraries.rows())),
        RequestBody::Migrate { .. } => Err("migrate is served by the connection".into()),
        RequestBody::Drain => {
            node.placement.start_drain(rt);
            Ok(ReplyBody::Drain(node.placement.drain_report(rt)))
        }
        RequestBody::DrainStatus => match rt.is_draining() {
            true => Ok(ReplyBody::Drain(node.placement.drain_report(rt))),
            false => Err(format!("node {} is not draining", rt.node())),
        },
        RequestBody::Undrain => {
            node.placement.stop_drain(rt);
            Ok(ReplyBody::Done)
        }
        RequestBody::Object(_) => Err("object requests are served by the connection".into()),
        RequestBody::Owner(req) => crate::signed::handle(node, req),
        RequestBody::Service(req) => node.services.handle(req).map(ReplyBody::Service),
        RequestBody::Front(req) => Ok(ReplyBody::Front(crate::front::handle(node.objects, req))),
        RequestBody::Cluster(_) => Err("cluster requests are served by the connection".into()),
        RequestBody::Wasm(_) => Err("wasm requests are served asynchronously".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn requests() -> Vec<Request> {
        let bodies = vec![
            RequestBody::Submit { script: "puts hé".into(), name: Some("w".into()), vars: pairs(&[("x", "1")]) },
            RequestBody::Submit { script: String::new(), name: None, vars: vec![] },
            RequestBody::Agents,
            RequestBody::AgentInfo { id: "1@t".into() },
            RequestBody::Kill { id: "w".into() },
            RequestBody::Suspend { id: "2@t".into() },
            RequestBody::Resume { id: "2@t".into() },
            RequestBody::Logs { id: "2@t".into(), from: u64::MAX },
            RequestBody::Send {
                to: "3@t".into(),
                performative: "inform".into(),
                content: "hi".into(),
                params: pairs(&[("conversation-id", "c1")]),
            },
            RequestBody::DfSearch { properties: pairs(&[("type", "printer"), ("", "")]) },
            RequestBody::Nodes,
            RequestBody::LibPublish { name: "geo".into(), version: "1.2".into(), script: "proc a {} {}".into() },
            RequestBody::LibList,
            RequestBody::Migrate { id: "4@t".into(), node: "u".into() },
            RequestBody::Drain,
            RequestBody::DrainStatus,
            RequestBody::Undrain,
            RequestBody::Owner(crate::signed::OwnerRequest::ReloadPolicy),
            RequestBody::Service(crate::services::proto::ServiceRequest::Endpoint { name: "upper".into() }),
            RequestBody::Front(crate::front::proto::FrontRequest::Status),
            RequestBody::Front(crate::front::proto::FrontRequest::Cache),
            RequestBody::Owner(crate::signed::OwnerRequest::SignedSubmit(Box::new(
                itinerant_core::OwnerKey::from_secret("alice", [5; 32]).unwrap().sign(itinerant_core::Submission {
                    script: "puts hi".into(),
                    name: None,
                    vars: pairs(&[("x", "1")]),
                    issued_at_ms: 1,
                    nonce: 2,
                }),
            ))),
        ];
        bodies.into_iter().enumerate().map(|(i, body)| Request { id: i as u64 * 0x0101_0101_0101, body }).collect()
    }

    fn responses() -> Vec<Response> {
        let row = AgentRow {
            id: "1@t".into(),
            name: Some("w".into()),
            state: "waiting".into(),
            mailbox: 3,
            age_ms: 1234,
            console_len: 9,
            language: "wasm".into(),
        };
        let results = vec![
            Err("no agent \"x\"".into()),
            Ok(ReplyBody::Submitted { id: "1@t".into() }),
            Ok(ReplyBody::Agents(vec![row.clone(), AgentRow { name: None, ..row.clone() }])),
            Ok(ReplyBody::Agents(vec![])),
            Ok(ReplyBody::Agent { row: row.clone(), ending: None }),
            Ok(ReplyBody::Agent { row: row.clone(), ending: Some(Err("boom\n    while executing".into())) }),
            Ok(ReplyBody::Done),
            Ok(ReplyBody::Logs {
                text: "a\nb".into(),
                next: 3,
                missed: 0,
                state: "deleted".into(),
                ending: Some(Ok("r".into())),
            }),
            Ok(ReplyBody::Found(vec![("1@t".into(), pairs(&[("type", "printer")])), ("2@u".into(), vec![])])),
            Ok(ReplyBody::Nodes {
                node: "t".into(),
                listen: "127.0.0.1:1".into(),
                draining: true,
                peers: vec![
                    PeerRow {
                        name: "u".into(),
                        addr: "127.0.0.1:2".into(),
                        connected: true,
                        load: Some((3, u64::MAX)),
                        draining: false,
                    },
                    PeerRow { name: "v".into(), addr: String::new(), connected: false, load: None, draining: true },
                ],
            }),
            Ok(ReplyBody::Published { created: true }),
            Ok(ReplyBody::Published { created: false }),
            Ok(ReplyBody::Libraries(vec![
                LibraryRow { name: "geo".into(), version: "1.2".into(), bytes: 12, published: true },
                LibraryRow { name: "util".into(), version: "2".into(), bytes: 0, published: false },
            ])),
            Ok(ReplyBody::Libraries(vec![])),
            Ok(ReplyBody::Migrated { node: "u".into() }),
            Ok(ReplyBody::Drain(DrainReport {
                total: 5,
                moved: 3,
                ended: 1,
                remaining: 1,
                failed: pairs(&[("2@t", "node u is draining")]),
                stalled: Some("no peer takes agents".into()),
                done: true,
            })),
            Ok(ReplyBody::Drain(DrainReport::default())),
            Ok(ReplyBody::PolicyReloaded { summary: "2 owners".into() }),
            Ok(ReplyBody::Service(crate::services::proto::ServiceReply::Connected)),
        ];
        results.into_iter().enumerate().map(|(i, result)| Response { id: i as u64, result }).collect()
    }

    #[test]
    fn requests_and_responses_round_trip() {
        for r in requests() {
            assert_eq!(Request::decode(&r.encode()), Ok(r.clone()));
        }
        for r in responses() {
            assert_eq!(Response::decode(&r.encode()), Ok(r.clone()));
        }
        let hello = ClientHello { version: PROTOCOL_VERSION, client: "itin".into() };
        assert_eq!(ClientHello::decode(&hello.encode()), Ok(hello));
    }

    #[test]
    fn truncated_and_padded_payloads_are_refused() {
        for r in requests() {
            let bytes = r.encode();
            for cut in 0..bytes.len() {
                assert!(Request::decode(&bytes[..cut]).is_err(), "{r:?} cut at {cut}");
            }
            let mut padded = bytes.clone();
            padded.push(0);
            assert!(Request::decode(&padded).unwrap_err().0.contains("left over"));
        }
        for r in responses() {
            let bytes = r.encode();
            for cut in 0..bytes.len() {
                assert!(Response::decode(&bytes[..cut]).is_err(), "{r:?} cut at {cut}");
            }
        }
    }

    #[test]
    fn forged_counts_and_tags_are_refused() {
        // Agents reply announcing 4 billion rows in a few bytes.
        let mut forged = 7u64.to_be_bytes().to_vec();
        forged.push(2);
        forged.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(Response::decode(&forged).unwrap_err().0.contains("items"));
        let mut unknown = 1u64.to_be_bytes().to_vec();
        unknown.push(99);
        assert!(Request::decode(&unknown).unwrap_err().0.contains("unknown request"));
        assert_eq!(Request::peek_id(&unknown), Some(1));
        assert_eq!(Request::peek_id(&[1, 2, 3]), None);
        let mut bad_flag =
            Response { id: 1, result: Ok(ReplyBody::Agent { row: responses_row(), ending: None }) }.encode();
        *bad_flag.last_mut().unwrap() = 3;
        assert!(Response::decode(&bad_flag).is_err());
    }

    fn responses_row() -> AgentRow {
        AgentRow {
            id: String::new(),
            name: None,
            state: String::new(),
            mailbox: 0,
            age_ms: 0,
            console_len: 0,
            language: String::new(),
        }
    }

    proptest! {
        /// Arbitrary payloads never panic; an accepted one re-encodes to the
        /// same bytes.
        #[test]
        fn garbage_is_refused_not_panicked(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(r) = Request::decode(&bytes) {
                prop_assert_eq!(r.encode(), bytes.clone());
            }
            if let Ok(r) = Response::decode(&bytes) {
                prop_assert_eq!(r.encode(), bytes.clone());
            }
            let _ = ClientHello::decode(&bytes);
        }
    }
}
