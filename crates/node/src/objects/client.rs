//! The Rust client library for objects: one call channel to a node
//! (`ObjectRequest::OpenChannel`), through which it reaches objects on that
//! node and, through its links, on every other.
//!
//! - [`ObjectClient::invoke`]: one call with a deadline; an answer "moved"
//!   is followed (and remembered, so later calls go straight there);
//! - [`ObjectClient::start`] / [`ObjectClient::cancel`]: a call that can be
//!   cancelled while it runs; the cancel is written on the urgent lane, a
//!   second connection that carries only cancels, so it never waits behind
//!   call frames (queued here, in the kernel, or unread by the node);
//! - [`ObjectClient::invoke_many`]: many calls at once, answers in order;
//! - [`ObjectClient::invoke_group`]: a replica group: the first answer,
//!   all answers, or a quorum;
//! - [`ObjectClient::invoke_idempotent`]: a call that may run twice,
//!   retried on the next replica when one is unavailable (failover);
//! - fronts in handoff mode (`crate::front`): a front answers a call with
//!   a back end's reference and address; the client opens a channel
//!   there, calls it directly from then on, and comes back to the front
//!   only when that back end is unavailable;
//! - caching ([`ObjectClient::set_caching`]): results of read-only methods
//!   of `caching=…` adapters are kept under their leases (`cache.rs`),
//!   dropped when the server invalidates them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::net::tls::Stream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

use super::cache::{Cache, CacheStats, Key, Lookup};
use super::proto::{Call, CallOutcome, ObjectReply, ObjectRequest, ObjectWire};
use super::reference::ObjectRef;
use super::MAX_FOLLOW;
use crate::control::{ClientHello, ReplyBody, Request, RequestBody, Response, KIND_RESPONSE, PROTOCOL_VERSION};
use crate::net::frame::{Frame, FrameDecoder, DEFAULT_MAX_PAYLOAD};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a call gave no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The method ran and failed (its error message), or was cancelled.
    Failed(String),
    /// No servant took the call (node, adapter or object missing, link
    /// down): another replica may.
    Unavailable(String),
    /// No answer before the deadline (the call was cancelled).
    Timeout,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Failed(e) => write!(f, "{e}"),
            CallError::Unavailable(e) => write!(f, "unavailable: {e}"),
            CallError::Timeout => write!(f, "no answer before the deadline"),
        }
    }
}

/// How a replica group's answers make one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupMode {
    /// The first good answer; the other calls are cancelled.
    First,
    /// Every replica's outcome.
    All,
    /// As soon as this many replicas answered well.
    Quorum(usize),
}

/// A call under way (see [`ObjectClient::start`]).
pub struct PendingCall {
    pub id: u64,
    target: ObjectRef,
    answer: oneshot::Receiver<Answered>,
}

/// How a call was answered: its outcome and the cookie that came with it
/// (`per-call` adapters), or a front handing the client to a back end.
enum Answered {
    Outcome(CallOutcome, Option<Vec<u8>>),
    HandOff(ObjectRef, SocketAddr),
}

/// A call waiting for its answer; with the cache key and send time of a
/// call whose leased result is kept (put in the cache by the reader, in
/// the order the node sent answers and invalidations).
struct Waiter {
    tx: oneshot::Sender<Answered>,
    keep: Option<(Key, std::time::Instant)>,
}

/// What a client and the back-end channels it opened share.
#[derive(Default)]
struct Shared {
    caching: std::sync::atomic::AtomicBool,
    /// Tests: invalidations are dropped unread (lost), not acknowledged.
    lose_invalidations: std::sync::atomic::AtomicBool,
    cache: Mutex<Cache>,
}

struct Inner {
    data: mpsc::UnboundedSender<Frame>,
    urgent: mpsc::UnboundedSender<Frame>,
    waiting: Mutex<HashMap<u64, Waiter>>,
    next: AtomicU64,
    session: String,
    /// Where moved objects are now (learned from "moved" answers).
    moved: Mutex<HashMap<ObjectRef, ObjectRef>>,
    /// The call channel's TCP socket, for urgent data (`oob.rs`).
    socket: Option<std::os::fd::OwnedFd>,
    /// The signed cookies `per-call` objects handed out, sent back with
    /// the next call to the same object.
    cookies: Mutex<HashMap<ObjectRef, Vec<u8>>>,
    tls: Option<Arc<rustls::ClientConfig>>,
    shared: Arc<Shared>,
    /// Objects of fronted services handed to a back end: its reference
    /// and address.
    handed: Mutex<HashMap<ObjectRef, (ObjectRef, SocketAddr)>>,
    /// Channels to back ends, by address.
    direct: Mutex<HashMap<SocketAddr, ObjectClient>>,
    closed: std::sync::atomic::AtomicBool,
}

/// A connection to a node for object calls. Cheap to clone.
#[derive(Clone)]
pub struct ObjectClient {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ObjectClient {
    /// Connects to the node at `addr` and opens a call channel and its
    /// urgent lane; `session` names this client for `session` adapters.
    pub async fn connect(addr: SocketAddr, session: &str) -> Result<ObjectClient, String> {
        ObjectClient::connect_with(addr, session, None).await
    }

    /// As `connect`, over mutual TLS when `tls` is given (a client
    /// configuration from `net::tls::client_config`; needed by every node
    /// not started with `--insecure-loopback`).
    pub async fn connect_with(
        addr: SocketAddr,
        session: &str,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Result<ObjectClient, String> {
        ObjectClient::connect_shared(addr, session, tls, Arc::default()).await
    }

    async fn connect_shared(
        addr: SocketAddr,
        session: &str,
        tls: Option<Arc<rustls::ClientConfig>>,
        shared: Arc<Shared>,
    ) -> Result<ObjectClient, String> {
        let (stream, decoder, leftover, opened) = open(addr, &tls, ObjectRequest::OpenChannel).await?;
        let ObjectReply::Channel { token } = opened else {
            return Err(format!("unexpected answer {opened:?}"));
        };
        let (urgent_stream, _, _, _) = open(addr, &tls, ObjectRequest::OpenUrgent { token }).await?;
        let socket = super::oob::duplicate(super::oob::socket_of(&stream)).ok();
        if let Some(s) = &socket {
            use std::os::fd::AsRawFd;
            super::oob::cap_buffer(s.as_raw_fd(), libc::SO_SNDBUF).map_err(|e| e.to_string())?;
        }
        let (data, data_rx) = mpsc::unbounded_channel();
        let (urgent, urgent_rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            data,
            urgent,
            waiting: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            session: session.to_owned(),
            moved: Mutex::new(HashMap::new()),
            socket,
            cookies: Mutex::new(HashMap::new()),
            tls,
            shared,
            handed: Mutex::new(HashMap::new()),
            direct: Mutex::new(HashMap::new()),
            closed: std::sync::atomic::AtomicBool::new(false),
        });
        let (reader, writer) = tokio::io::split(stream);
        tokio::spawn(write_loop(writer, data_rx));
        tokio::spawn(write_loop(urgent_stream, urgent_rx));
        let weak = Arc::downgrade(&inner);
        tokio::spawn(async move {
            let why = read_loop(reader, decoder, leftover, &weak).await;
            // The channel is gone: every waiting call learns it.
            if let Some(inner) = weak.upgrade() {
                inner.closed.store(true, Ordering::Relaxed);
                for (_, w) in lock(&inner.waiting).drain() {
                    let lost = CallOutcome::Unavailable(format!("connection to the node lost: {why}"));
                    let _ = w.tx.send(Answered::Outcome(lost, None));
                }
            }
        });
        Ok(ObjectClient { inner })
    }

    /// Interrupts every call of this client in flight with TCP urgent
    /// data on the call channel (`oob.rs`), waiting at most `wait` for room
    /// in the socket's send buffer. Send one, then await the answers.
    pub async fn interrupt(&self, wait: Duration) -> Result<(), String> {
        use std::os::fd::AsRawFd;
        let fd = self.inner.socket.as_ref().ok_or("no socket for urgent data")?.as_raw_fd();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match super::oob::send_urgent(fd) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_micros(200)).await
                }
                Err(e) => return Err(format!("urgent data not sent: {e}")),
            }
        }
    }

    /// Keeps results of read-only methods (of `caching=…` adapters) from
    /// now on, or stops (the copies kept are dropped).
    pub fn set_caching(&self, on: bool) {
        self.inner.shared.caching.store(on, Ordering::Relaxed);
        if !on {
            lock(&self.inner.shared.cache).clear();
        }
    }

    /// The cache's counters (entries, hits, misses, ...).
    pub fn cache_stats(&self) -> CacheStats {
        lock(&self.inner.shared.cache).stats()
    }

    /// For tests: invalidations from now on are lost (neither applied nor
    /// acknowledged), as if the network dropped them.
    pub fn lose_invalidations(&self, lose: bool) {
        self.inner.shared.lose_invalidations.store(lose, Ordering::Relaxed);
    }

    /// Starts a call (not following moves); answer with [`Self::finish`].
    pub fn start(&self, target: &ObjectRef, method: &str, args: &[String], deadline: Duration) -> PendingCall {
        self.start_keeping(target, method, args, deadline, None)
    }

    /// As `start`; with `keep`, asks for a lease and keeps the result
    /// under that key.
    fn start_keeping(
        &self,
        target: &ObjectRef,
        method: &str,
        args: &[String],
        deadline: Duration,
        keep: Option<Key>,
    ) -> PendingCall {
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let (tx, answer) = oneshot::channel();
        let caching = keep.is_some();
        let keep = keep.map(|k| (k, std::time::Instant::now()));
        lock(&self.inner.waiting).insert(id, Waiter { tx, keep });
        let body = Call {
            target: target.to_string(),
            method: method.to_owned(),
            args: args.to_vec(),
            session: self.inner.session.clone(),
            timeout_ms: deadline.as_millis().max(1) as u64,
            cookie: self.cookie(target).unwrap_or_default(),
        };
        let w = match caching {
            true => ObjectWire::CallCaching { call: id, body },
            false => ObjectWire::Call { call: id, body },
        };
        if self.inner.data.send(w.frame()).is_err() {
            let waiting = lock(&self.inner.waiting).remove(&id);
            if let Some(w) = waiting {
                let lost = CallOutcome::Unavailable("connection to the node lost".into());
                let _ = w.tx.send(Answered::Outcome(lost, None));
            }
        }
        PendingCall { id, target: target.clone(), answer }
    }

    /// The cookie this client holds for `target` (handed out by a
    /// `per-call` adapter with its last answer), if any.
    pub fn cookie(&self, target: &ObjectRef) -> Option<Vec<u8>> {
        lock(&self.inner.cookies).get(target).cloned()
    }

    /// Replaces the cookie sent with calls to `target` (empty: none) — to
    /// hand a client's state to another client, or to test tampering.
    pub fn set_cookie(&self, target: &ObjectRef, cookie: Vec<u8>) {
        let mut cookies = lock(&self.inner.cookies);
        match cookie.is_empty() {
            true => cookies.remove(target),
            false => cookies.insert(target.clone(), cookie),
        };
    }

    /// Cancels a started call: sent on the urgent lane (a connection of
    /// its own, so it never waits behind calls).
    pub fn cancel(&self, id: u64) {
        let _ = self.inner.urgent.send(ObjectWire::Cancel { call: id }.frame());
    }

    /// Waits for a started call's outcome, at most `deadline` (then it is
    /// cancelled).
    /// A front's handoff is given as `Moved` to the back end's reference.
    pub async fn finish(&self, pending: PendingCall, deadline: Duration) -> CallOutcome {
        match self.finish_answered(pending, deadline).await {
            Answered::Outcome(outcome, _) => outcome,
            Answered::HandOff(to, _) => CallOutcome::Moved(to.to_string()),
        }
    }

    async fn finish_answered(&self, pending: PendingCall, deadline: Duration) -> Answered {
        match tokio::time::timeout(deadline, pending.answer).await {
            Ok(Ok(Answered::Outcome(outcome, cookie))) => {
                if let Some(cookie) = cookie.clone() {
                    self.set_cookie(&pending.target, cookie);
                }
                Answered::Outcome(outcome, cookie)
            }
            Ok(Ok(handed)) => handed,
            Ok(Err(_)) => Answered::Outcome(CallOutcome::Unavailable("connection to the node lost".into()), None),
            Err(_) => {
                lock(&self.inner.waiting).remove(&pending.id);
                self.cancel(pending.id);
                Answered::Outcome(CallOutcome::Unavailable("deadline".into()), None)
            }
        }
    }

    /// A channel to the back end at `addr` (opened once, again if lost).
    async fn direct(&self, addr: SocketAddr) -> Result<ObjectClient, String> {
        let open = lock(&self.inner.direct).get(&addr).cloned();
        if let Some(c) = open.filter(|c| !c.inner.closed.load(Ordering::Relaxed)) {
            return Ok(c);
        }
        let (session, tls, shared) = (&self.inner.session, self.inner.tls.clone(), self.inner.shared.clone());
        let c = ObjectClient::connect_shared(addr, session, tls, shared).await?;
        lock(&self.inner.direct).insert(addr, c.clone());
        Ok(c)
    }

    /// One call, within `deadline`, following the object if it moved.
    pub async fn invoke(
        &self,
        target: &ObjectRef,
        method: &str,
        args: &[String],
        deadline: Duration,
    ) -> Result<String, CallError> {
        let end = tokio::time::Instant::now() + deadline;
        let mut target = lock(&self.inner.moved).get(target).cloned().unwrap_or_else(|| target.clone());
        let original = target.clone();
        // Moves followed, plus a handoff and a return to the front.
        for _ in 0..=MAX_FOLLOW + 2 {
            let left = end.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Err(CallError::Timeout);
            }
            let handed = lock(&self.inner.handed).get(&target).cloned();
            if let Some((backend, addr)) = handed {
                let answered = match self.direct(addr).await {
                    Ok(d) => Box::pin(d.invoke(&backend, method, args, left)).await,
                    Err(why) => Err(CallError::Unavailable(why)),
                };
                match answered {
                    // The back end failed: back to the front.
                    Err(CallError::Unavailable(_)) => {
                        lock(&self.inner.handed).remove(&target);
                        continue;
                    }
                    other => return other,
                }
            }
            let keep = self.inner.shared.caching.load(Ordering::Relaxed).then(|| {
                let key: Key = (target.to_string(), method.to_owned(), args.to_vec());
                key
            });
            if let Some(key) = &keep {
                if let Lookup::Hit(v) = lock(&self.inner.shared.cache).get(key, std::time::Instant::now()) {
                    return Ok(v);
                }
            }
            let pending = self.start_keeping(&target, method, args, left, keep);
            match self.finish_answered(pending, left).await {
                Answered::HandOff(backend, addr) => {
                    lock(&self.inner.handed).insert(target.clone(), (backend, addr));
                }
                Answered::Outcome(outcome, _) => match outcome {
                    CallOutcome::Ok(r) => return Ok(r),
                    CallOutcome::Err(e) => return Err(CallError::Failed(e)),
                    CallOutcome::Unavailable(e) if e == "deadline" => return Err(CallError::Timeout),
                    CallOutcome::Unavailable(e) => return Err(CallError::Unavailable(e)),
                    CallOutcome::Moved(to) => {
                        let to = ObjectRef::parse(&to).map_err(CallError::Failed)?;
                        lock(&self.inner.moved).insert(original.clone(), to.clone());
                        target = to;
                    }
                },
            }
        }
        Err(CallError::Unavailable(format!("{original} moved more than {MAX_FOLLOW} times")))
    }

    /// Many calls at once (each within `deadline`); answers in the order
    /// of `calls`.
    pub async fn invoke_many(
        &self,
        calls: &[(ObjectRef, String, Vec<String>)],
        deadline: Duration,
    ) -> Vec<Result<String, CallError>> {
        let mut set = tokio::task::JoinSet::new();
        for (i, (target, method, args)) in calls.iter().cloned().enumerate() {
            let me = self.clone();
            set.spawn(async move { (i, me.invoke(&target, &method, &args, deadline).await) });
        }
        let mut out: Vec<Result<String, CallError>> = vec![Err(CallError::Timeout); calls.len()];
        while let Some(Ok((i, r))) = set.join_next().await {
            out[i] = r;
        }
        out
    }

    /// Calls every replica of a group; see [`GroupMode`]. `First` and
    /// `Quorum` give their good answers (one, or the quorum's) as soon as
    /// they have them; `All` gives every outcome, in group order, as its
    /// `Ok` only if all were good.
    pub async fn invoke_group(
        &self,
        group: &[ObjectRef],
        method: &str,
        args: &[String],
        mode: GroupMode,
        deadline: Duration,
    ) -> Result<Vec<String>, CallError> {
        let need = match mode {
            GroupMode::First => 1,
            GroupMode::All => group.len(),
            GroupMode::Quorum(k) => k.min(group.len()).max(1),
        };
        let mut set = tokio::task::JoinSet::new();
        for (i, target) in group.iter().cloned().enumerate() {
            let (me, method, args) = (self.clone(), method.to_owned(), args.to_vec());
            set.spawn(async move { (i, me.invoke(&target, &method, &args, deadline).await) });
        }
        let mut good: Vec<(usize, String)> = Vec::new();
        let mut failures: Vec<String> = Vec::new();
        while let Some(joined) = set.join_next().await {
            let Ok((i, outcome)) = joined else { continue };
            match outcome {
                Ok(r) => good.push((i, r)),
                Err(e) => {
                    failures.push(format!("{}: {e}", group[i]));
                    if group.len() - failures.len() < need {
                        set.abort_all();
                        return Err(CallError::Unavailable(failures.join("; ")));
                    }
                }
            }
            if good.len() >= need {
                set.abort_all();
                good.sort_by_key(|(i, _)| *i);
                return Ok(good.into_iter().map(|(_, r)| r).collect());
            }
        }
        Err(CallError::Unavailable(failures.join("; ")))
    }

    /// An idempotent call: tried on each replica in turn (at most
    /// `attempts` tries in all, cycling) while replicas are unavailable or
    /// do not answer in time; a method's own failure is final.
    pub async fn invoke_idempotent(
        &self,
        replicas: &[ObjectRef],
        method: &str,
        args: &[String],
        attempts: usize,
        deadline_each: Duration,
    ) -> Result<String, CallError> {
        let mut last = CallError::Unavailable("no replicas".into());
        for target in replicas.iter().cycle().take(attempts.max(1).min(replicas.len().max(1) * 8)) {
            match self.invoke(target, method, args, deadline_each).await {
                Ok(r) => return Ok(r),
                Err(CallError::Failed(e)) => return Err(CallError::Failed(e)),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

/// Opens a connection to the node and sends `req` (which turns it into a
/// call channel or an urgent lane); the connection, its decoder, frames
/// already read after the answer, and the answer.
async fn open(
    addr: SocketAddr,
    tls: &Option<Arc<rustls::ClientConfig>>,
    req: ObjectRequest,
) -> Result<(Stream, FrameDecoder, Vec<Frame>, ObjectReply), String> {
    let mut stream = crate::net::tls::dial(addr, tls.as_ref(), CONNECT_TIMEOUT).await?;
    let hello = ClientHello { version: PROTOCOL_VERSION, client: "itinerant object client".into() };
    let mut bytes = hello.frame().encode();
    bytes.extend(Request { id: 1, body: RequestBody::Object(req) }.frame().encode());
    stream.write_all(&bytes).await.map_err(|e| e.to_string())?;
    let mut decoder = FrameDecoder::new(DEFAULT_MAX_PAYLOAD);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = tokio::time::timeout(CONNECT_TIMEOUT, stream.read(&mut buf))
            .await
            .map_err(|_| "the node did not answer".to_string())?
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the node closed the connection".into());
        }
        let mut frames = decoder.push(&buf[..n]).map_err(|e| e.to_string())?.into_iter();
        if let Some(first) = frames.next() {
            if first.kind != KIND_RESPONSE {
                return Err(format!("unexpected frame kind {}", first.kind));
            }
            return match Response::decode(&first.payload).map_err(|e| e.to_string())?.result {
                Ok(ReplyBody::Object(reply)) => Ok((stream, decoder, frames.collect(), reply)),
                Ok(other) => Err(format!("unexpected answer {other:?}")),
                Err(e) => Err(e),
            };
        }
    }
}

/// Writes one lane's frames, coalescing those already queued (at most
/// 64 KiB a write).
async fn write_loop<W: tokio::io::AsyncWrite + Unpin>(mut writer: W, mut frames: mpsc::UnboundedReceiver<Frame>) {
    let mut batch = Vec::new();
    while let Some(f) = frames.recv().await {
        batch.clear();
        batch.extend(f.encode());
        while batch.len() < 64 * 1024 {
            match frames.try_recv() {
                Ok(f) => batch.extend(f.encode()),
                Err(_) => break,
            }
        }
        if writer.write_all(&batch).await.is_err() {
            return;
        }
    }
}

impl Inner {
    fn answered(&self, call: u64, answer: Answered) {
        let waiter = lock(&self.waiting).remove(&call);
        if let Some(w) = waiter {
            let _ = w.tx.send(answer);
        }
    }
}

async fn read_loop(
    mut reader: tokio::io::ReadHalf<Stream>,
    mut decoder: FrameDecoder,
    leftover: Vec<Frame>,
    inner: &std::sync::Weak<Inner>,
) -> String {
    let mut frames = leftover;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let Some(me) = inner.upgrade() else { return "client dropped".into() };
        for f in frames.drain(..) {
            match ObjectWire::decode(f.kind, &f.payload) {
                Ok(ObjectWire::Reply { call, outcome }) => me.answered(call, Answered::Outcome(outcome, None)),
                Ok(ObjectWire::ReplyCookie { call, outcome, cookie }) => {
                    me.answered(call, Answered::Outcome(outcome, Some(cookie)))
                }
                Ok(ObjectWire::ReplyLease { call, outcome, lease_ms, epoch }) => {
                    let waiter = lock(&me.waiting).remove(&call);
                    if let Some(w) = waiter {
                        if let (CallOutcome::Ok(v), Some(((object, m, a), sent))) = (&outcome, w.keep) {
                            let server = ObjectRef::parse(&object).map(|r| r.node).unwrap_or_default();
                            let until = sent + Duration::from_millis(lease_ms);
                            let now = std::time::Instant::now();
                            lock(&me.shared.cache).put((object, m, a), &server, v.clone(), epoch, until, now);
                        }
                        let _ = w.tx.send(Answered::Outcome(outcome, None));
                    }
                }
                Ok(ObjectWire::HandOff { call, reference, addr }) => {
                    let handed = match (ObjectRef::parse(&reference), addr.parse::<SocketAddr>()) {
                        (Ok(to), Ok(addr)) => Answered::HandOff(to, addr),
                        _ => Answered::Outcome(CallOutcome::Err(format!("bad handoff to {reference} at {addr}")), None),
                    };
                    me.answered(call, handed)
                }
                Ok(ObjectWire::Invalidate { seq, object }) => {
                    if !me.shared.lose_invalidations.load(Ordering::Relaxed) {
                        lock(&me.shared.cache).invalidate(&object);
                        if seq != 0 {
                            let _ = me.data.send(ObjectWire::InvalidateAck { seq }.frame());
                        }
                    }
                }
                Ok(_) => return format!("unexpected frame kind {}", f.kind),
                Err(e) => return e.to_string(),
            }
        }
        drop(me);
        match reader.read(&mut buf).await {
            Ok(0) => return "closed by the node".into(),
            Ok(n) => match decoder.push(&buf[..n]) {
                Ok(f) => frames = f,
                Err(e) => return e.to_string(),
            },
            Err(e) => return e.to_string(),
        }
    }
}
