//! What crosses the wire for objects, and its bounds-checked encoding (the
//! conventions of `crate::proto`: big-endian lengths and integers, every
//! length checked against the bytes left, one encoding per value).
//!
//! - [`ObjectRequest`] / [`ObjectReply`]: the client protocol's one
//!   request variant and one reply variant for objects (`control.rs`).
//! - [`ObjectWire`]: frames of kinds 30–42, both between nodes (a call to
//!   an object of another node, its answer, its cancel, an object moving)
//!   and on a client's call channel (`ObjectRequest::OpenChannel`), where
//!   many calls are in flight at once and a cancel travels on the urgent
//!   lane.

use crate::net::frame::{Frame, Lane};
use crate::proto::{put_opt, put_str, DecodeError, Reader};

use super::cookie::MAX_COOKIE;
use super::servant::Body;

pub const KIND_OBJECT_CALL: u8 = 30;
pub const KIND_OBJECT_REPLY: u8 = 31;
pub const KIND_OBJECT_CANCEL: u8 = 32;
pub const KIND_OBJECT_INSTALL: u8 = 33;
pub const KIND_OBJECT_INSTALLED: u8 = 34;
/// An answer carrying the client's new cookie (`per-call` adapters).
pub const KIND_OBJECT_REPLY_COOKIE: u8 = 35;
/// The front's health probe of a back end, and its answer (load, epoch).
pub const KIND_OBJECT_PROBE: u8 = 36;
pub const KIND_OBJECT_PROBE_ACK: u8 = 37;
/// A front's answer in handoff mode: call this back end directly.
pub const KIND_OBJECT_HAND_OFF: u8 = 38;
/// A call whose caller keeps read-only results (asks for a lease).
pub const KIND_OBJECT_CALL_CACHING: u8 = 39;
/// An answer with a lease on the result (a read-only method).
pub const KIND_OBJECT_REPLY_LEASE: u8 = 40;
/// The server tells a holder its copies of an object are invalid, and
/// the holder acknowledges.
pub const KIND_OBJECT_INVALIDATE: u8 = 41;
pub const KIND_OBJECT_INVALIDATE_ACK: u8 = 42;

/// Most arguments of one call.
pub const MAX_ARGS: usize = 4096;
/// Most servant states an object carries when it moves (its sessions).
pub const MAX_STATES: usize = 4096;

/// Is `kind` one of the object frames (handed to `objects` by the node)?
pub fn is_object_kind(kind: u8) -> bool {
    (KIND_OBJECT_CALL..=KIND_OBJECT_INVALIDATE_ACK).contains(&kind)
}

/// One invocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Call {
    /// The object's reference (`itin://NODE/ADAPTER/ID`).
    pub target: String,
    pub method: String,
    pub args: Vec<String>,
    /// The client's session (for `session` adapters); may be empty.
    pub session: String,
    /// Longest the call may take, from its arrival.
    pub timeout_ms: u64,
    /// The signed cookie a `per-call` adapter handed out last (`cookie.rs`);
    /// empty: none.
    pub cookie: Vec<u8>,
}

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    Ok(String),
    /// The method failed (a Tcl error), or the call could not be made.
    Err(String),
    /// The object is not here any more: it moved to this reference.
    Moved(String),
    /// The call did not reach a servant (no such node, adapter or object,
    /// a link down, a busy adapter, no answer in time): another replica
    /// may serve it.
    Unavailable(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterRow {
    pub name: String,
    pub policy: String,
    pub objects: u64,
    pub running: u64,
    pub queued: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRow {
    pub reference: String,
    /// "tcl" or "rust:TYPE".
    pub kind: String,
    /// Servants active now.
    pub active: u64,
    /// Times a servant was activated for it.
    pub activations: u64,
    pub calls: u64,
}

/// The client protocol's object requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectRequest {
    AdapterCreate {
        name: String,
        policy: String,
    },
    AdapterList,
    AdapterRemove {
        name: String,
    },
    ObjectAdd {
        adapter: String,
        id: String,
        body: Body,
    },
    /// Objects of one adapter, or of all.
    ObjectList {
        adapter: Option<String>,
    },
    ObjectRemove {
        adapter: String,
        id: String,
    },
    /// Moves an object to another node; calls to its old reference are
    /// answered `Moved`.
    ObjectMove {
        adapter: String,
        id: String,
        node: String,
    },
    /// One call, answered when it ends; `follow`: the node follows moves
    /// itself (a few hops) instead of answering `Moved`.
    Call {
        call: Call,
        follow: bool,
    },
    /// Makes the connection a call channel: from now on the client sends
    /// `ObjectWire::Call` and `Cancel` frames and the node answers each call
    /// with an `ObjectWire::Reply`, in the order calls end.
    OpenChannel,
    /// Makes the connection the urgent lane of the call channel `token`
    /// (answered `Channel` when it opened): it carries only `Cancel` frames,
    /// so a cancel never waits behind call bytes in the channel's stream.
    OpenUrgent {
        token: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectReply {
    Done,
    Adapters(Vec<AdapterRow>),
    Objects(Vec<ObjectRow>),
    Called(CallOutcome),
    /// The object's new reference (after a move).
    Reference(String),
    /// A call channel is open; `token` names it for `OpenUrgent`.
    Channel {
        token: u64,
    },
}

/// The object frames (see the module comment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectWire {
    /// `call` numbers the call on its sender's side.
    Call {
        call: u64,
        body: Call,
    },
    Reply {
        call: u64,
        outcome: CallOutcome,
    },
    Cancel {
        call: u64,
    },
    /// An answer from a `per-call` adapter: the outcome and the cookie the
    /// client sends with its next call to the object (empty: none).
    ReplyCookie {
        call: u64,
        outcome: CallOutcome,
        cookie: Vec<u8>,
    },
    /// An object moving here: its adapter (created here with `policy` if
    /// missing), its body and its servants' states by session.
    Install {
        ticket: u64,
        adapter: String,
        policy: String,
        id: String,
        body: Body,
        states: Vec<(String, Vec<u8>)>,
    },
    Installed {
        ticket: u64,
        result: Result<(), String>,
    },
    /// A front asks a back end whether it is up (`front/`).
    Probe {
        ticket: u64,
    },
    /// Up: its calls running and queued, and its epoch (boot id).
    ProbeAck {
        ticket: u64,
        load: u64,
        epoch: u64,
    },
    /// The front hands the client over: call `reference` at `addr`
    /// directly, and come back only if it fails.
    HandOff {
        call: u64,
        reference: String,
        addr: String,
    },
    /// As `Call`; the caller keeps copies of read-only results.
    CallCaching {
        call: u64,
        body: Call,
    },
    /// The answer to a read-only method: the result may be kept for
    /// `lease_ms` (from when the call was sent); `epoch` is the server's.
    ReplyLease {
        call: u64,
        outcome: CallOutcome,
        lease_ms: u64,
        epoch: u64,
    },
    /// Copies of `object` (its reference) are invalid; `seq` is echoed in
    /// the acknowledgement.
    Invalidate {
        seq: u64,
        object: String,
    },
    InvalidateAck {
        seq: u64,
    },
}

fn put_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_be_bytes());
}

fn put_count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_be_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_count(out, b.len());
    out.extend_from_slice(b);
}

fn bytes(r: &mut Reader) -> Result<Vec<u8>, DecodeError> {
    let n = r.u32()? as usize;
    Ok(r.take(n)?.to_vec())
}

fn finish<T>(r: &Reader, value: T) -> Result<T, DecodeError> {
    match r.left() {
        0 => Ok(value),
        n => Err(DecodeError(format!("{n} bytes left over"))),
    }
}

fn flag(r: &mut Reader) -> Result<bool, DecodeError> {
    match r.byte()? {
        0 => Ok(false),
        1 => Ok(true),
        f => Err(DecodeError(format!("bad flag {f}"))),
    }
}

fn put_call(out: &mut Vec<u8>, c: &Call) {
    put_str(out, &c.target);
    put_str(out, &c.method);
    put_count(out, c.args.len());
    for a in &c.args {
        put_str(out, a);
    }
    put_str(out, &c.session);
    put_u64(out, c.timeout_ms);
    put_bytes(out, &c.cookie);
}

fn cookie(r: &mut Reader) -> Result<Vec<u8>, DecodeError> {
    let c = bytes(r)?;
    if c.len() > MAX_COOKIE {
        return Err(DecodeError(format!("a cookie of {} bytes, over the limit of {MAX_COOKIE}", c.len())));
    }
    Ok(c)
}

fn call(r: &mut Reader) -> Result<Call, DecodeError> {
    let (target, method) = (r.str()?, r.str()?);
    let n = r.count(4)?;
    if n > MAX_ARGS {
        return Err(DecodeError(format!("{n} arguments, over the limit of {MAX_ARGS}")));
    }
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        args.push(r.str()?);
    }
    Ok(Call { target, method, args, session: r.str()?, timeout_ms: r.u64()?, cookie: cookie(r)? })
}

fn put_outcome(out: &mut Vec<u8>, o: &CallOutcome) {
    let (tag, text) = match o {
        CallOutcome::Ok(s) => (0, s),
        CallOutcome::Err(s) => (1, s),
        CallOutcome::Moved(s) => (2, s),
        CallOutcome::Unavailable(s) => (3, s),
    };
    out.push(tag);
    put_str(out, text);
}

fn outcome(r: &mut Reader) -> Result<CallOutcome, DecodeError> {
    match r.byte()? {
        0 => Ok(CallOutcome::Ok(r.str()?)),
        1 => Ok(CallOutcome::Err(r.str()?)),
        2 => Ok(CallOutcome::Moved(r.str()?)),
        3 => Ok(CallOutcome::Unavailable(r.str()?)),
        t => Err(DecodeError(format!("bad call outcome {t}"))),
    }
}

fn put_body(out: &mut Vec<u8>, b: &Body) {
    match b {
        Body::Tcl(script) => {
            out.push(0);
            put_str(out, script);
        }
        Body::Rust(name) => {
            out.push(1);
            put_str(out, name);
        }
    }
}

fn body(r: &mut Reader) -> Result<Body, DecodeError> {
    match r.byte()? {
        0 => Ok(Body::Tcl(r.str()?)),
        1 => Ok(Body::Rust(r.str()?)),
        t => Err(DecodeError(format!("bad object body {t}"))),
    }
}

/// A body as stored (`persist.rs`).
pub(crate) fn encode_body(b: &Body) -> Vec<u8> {
    let mut out = Vec::new();
    put_body(&mut out, b);
    out
}

pub(crate) fn decode_body(bytes: &[u8]) -> Result<Body, DecodeError> {
    let mut r = Reader::new(bytes);
    let b = body(&mut r)?;
    finish(&r, b)
}

impl ObjectRequest {
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            ObjectRequest::AdapterCreate { name, policy } => {
                out.push(1);
                put_str(out, name);
                put_str(out, policy);
            }
            ObjectRequest::AdapterList => out.push(2),
            ObjectRequest::AdapterRemove { name } => {
                out.push(3);
                put_str(out, name);
            }
            ObjectRequest::ObjectAdd { adapter, id, body } => {
                out.push(4);
                put_str(out, adapter);
                put_str(out, id);
                put_body(out, body);
            }
            ObjectRequest::ObjectList { adapter } => {
                out.push(5);
                put_opt(out, adapter.as_deref());
            }
            ObjectRequest::ObjectRemove { adapter, id } => {
                out.push(6);
                put_str(out, adapter);
                put_str(out, id);
            }
            ObjectRequest::ObjectMove { adapter, id, node } => {
                out.push(7);
                put_str(out, adapter);
                put_str(out, id);
                put_str(out, node);
            }
            ObjectRequest::Call { call, follow } => {
                out.push(8);
                put_call(out, call);
                out.push(u8::from(*follow));
            }
            ObjectRequest::OpenChannel => out.push(9),
            ObjectRequest::OpenUrgent { token } => {
                out.push(10);
                put_u64(out, *token);
            }
        }
    }

    /// Reads a request from the rest of `r` (the caller checks that
    /// nothing is left over).
    pub(crate) fn decode_from(r: &mut Reader) -> Result<ObjectRequest, DecodeError> {
        Ok(match r.byte()? {
            1 => ObjectRequest::AdapterCreate { name: r.str()?, policy: r.str()? },
            2 => ObjectRequest::AdapterList,
            3 => ObjectRequest::AdapterRemove { name: r.str()? },
            4 => ObjectRequest::ObjectAdd { adapter: r.str()?, id: r.str()?, body: body(r)? },
            5 => ObjectRequest::ObjectList { adapter: r.opt()? },
            6 => ObjectRequest::ObjectRemove { adapter: r.str()?, id: r.str()? },
            7 => ObjectRequest::ObjectMove { adapter: r.str()?, id: r.str()?, node: r.str()? },
            8 => ObjectRequest::Call { call: call(r)?, follow: flag(r)? },
            9 => ObjectRequest::OpenChannel,
            10 => ObjectRequest::OpenUrgent { token: r.u64()? },
            t => return Err(DecodeError(format!("unknown object request {t}"))),
        })
    }
}

impl ObjectReply {
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            ObjectReply::Done => out.push(1),
            ObjectReply::Adapters(rows) => {
                out.push(2);
                put_count(out, rows.len());
                for a in rows {
                    put_str(out, &a.name);
                    put_str(out, &a.policy);
                    put_u64(out, a.objects);
                    put_u64(out, a.running);
                    put_u64(out, a.queued);
                }
            }
            ObjectReply::Objects(rows) => {
                out.push(3);
                put_count(out, rows.len());
                for o in rows {
                    put_str(out, &o.reference);
                    put_str(out, &o.kind);
                    put_u64(out, o.active);
                    put_u64(out, o.activations);
                    put_u64(out, o.calls);
                }
            }
            ObjectReply::Called(o) => {
                out.push(4);
                put_outcome(out, o);
            }
            ObjectReply::Reference(r) => {
                out.push(5);
                put_str(out, r);
            }
            ObjectReply::Channel { token } => {
                out.push(6);
                put_u64(out, *token);
            }
        }
    }

    pub(crate) fn decode_from(r: &mut Reader) -> Result<ObjectReply, DecodeError> {
        Ok(match r.byte()? {
            1 => ObjectReply::Done,
            2 => {
                let n = r.count(4 + 4 + 24)?;
                let mut rows = Vec::with_capacity(n);
                for _ in 0..n {
                    rows.push(AdapterRow {
                        name: r.str()?,
                        policy: r.str()?,
                        objects: r.u64()?,
                        running: r.u64()?,
                        queued: r.u64()?,
                    });
                }
                ObjectReply::Adapters(rows)
            }
            3 => {
                let n = r.count(4 + 4 + 24)?;
                let mut rows = Vec::with_capacity(n);
                for _ in 0..n {
                    rows.push(ObjectRow {
                        reference: r.str()?,
                        kind: r.str()?,
                        active: r.u64()?,
                        activations: r.u64()?,
                        calls: r.u64()?,
                    });
                }
                ObjectReply::Objects(rows)
            }
            4 => ObjectReply::Called(outcome(r)?),
            5 => ObjectReply::Reference(r.str()?),
            6 => ObjectReply::Channel { token: r.u64()? },
            t => return Err(DecodeError(format!("unknown object reply {t}"))),
        })
    }
}

impl ObjectWire {
    pub fn kind(&self) -> u8 {
        match self {
            ObjectWire::Call { .. } => KIND_OBJECT_CALL,
            ObjectWire::Reply { .. } => KIND_OBJECT_REPLY,
            ObjectWire::Cancel { .. } => KIND_OBJECT_CANCEL,
            ObjectWire::ReplyCookie { .. } => KIND_OBJECT_REPLY_COOKIE,
            ObjectWire::Install { .. } => KIND_OBJECT_INSTALL,
            ObjectWire::Installed { .. } => KIND_OBJECT_INSTALLED,
            ObjectWire::Probe { .. } => KIND_OBJECT_PROBE,
            ObjectWire::ProbeAck { .. } => KIND_OBJECT_PROBE_ACK,
            ObjectWire::HandOff { .. } => KIND_OBJECT_HAND_OFF,
            ObjectWire::CallCaching { .. } => KIND_OBJECT_CALL_CACHING,
            ObjectWire::ReplyLease { .. } => KIND_OBJECT_REPLY_LEASE,
            ObjectWire::Invalidate { .. } => KIND_OBJECT_INVALIDATE,
            ObjectWire::InvalidateAck { .. } => KIND_OBJECT_INVALIDATE_ACK,
        }
    }

    /// The answer to `call`: with the cookie if the adapter gave one.
    pub fn answer(call: u64, outcome: CallOutcome, cookie: Option<Vec<u8>>) -> ObjectWire {
        match cookie {
            Some(cookie) => ObjectWire::ReplyCookie { call, outcome, cookie },
            None => ObjectWire::Reply { call, outcome },
        }
    }

    /// Cancels go on the urgent lane: they must not wait behind calls.
    pub fn frame(&self) -> Frame {
        let lane = match self {
            ObjectWire::Cancel { .. } => Lane::Urgent,
            _ => Lane::Data,
        };
        Frame { lane, kind: self.kind(), payload: self.encode() }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            ObjectWire::Call { call, body } => {
                put_u64(&mut out, *call);
                put_call(&mut out, body);
            }
            ObjectWire::Reply { call, outcome } => {
                put_u64(&mut out, *call);
                put_outcome(&mut out, outcome);
            }
            ObjectWire::Cancel { call } => put_u64(&mut out, *call),
            ObjectWire::ReplyCookie { call, outcome, cookie } => {
                put_u64(&mut out, *call);
                put_outcome(&mut out, outcome);
                put_bytes(&mut out, cookie);
            }
            ObjectWire::Install { ticket, adapter, policy, id, body, states } => {
                put_u64(&mut out, *ticket);
                put_str(&mut out, adapter);
                put_str(&mut out, policy);
                put_str(&mut out, id);
                put_body(&mut out, body);
                put_count(&mut out, states.len());
                for (session, state) in states {
                    put_str(&mut out, session);
                    put_bytes(&mut out, state);
                }
            }
            ObjectWire::Installed { ticket, result } => {
                put_u64(&mut out, *ticket);
                match result {
                    Ok(()) => out.push(0),
                    Err(why) => {
                        out.push(1);
                        put_str(&mut out, why);
                    }
                }
            }
            ObjectWire::Probe { ticket } => put_u64(&mut out, *ticket),
            ObjectWire::ProbeAck { ticket, load, epoch } => {
                put_u64(&mut out, *ticket);
                put_u64(&mut out, *load);
                put_u64(&mut out, *epoch);
            }
            ObjectWire::HandOff { call, reference, addr } => {
                put_u64(&mut out, *call);
                put_str(&mut out, reference);
                put_str(&mut out, addr);
            }
            ObjectWire::CallCaching { call, body } => {
                put_u64(&mut out, *call);
                put_call(&mut out, body);
            }
            ObjectWire::ReplyLease { call, outcome, lease_ms, epoch } => {
                put_u64(&mut out, *call);
                put_outcome(&mut out, outcome);
                put_u64(&mut out, *lease_ms);
                put_u64(&mut out, *epoch);
            }
            ObjectWire::Invalidate { seq, object } => {
                put_u64(&mut out, *seq);
                put_str(&mut out, object);
            }
            ObjectWire::InvalidateAck { seq } => put_u64(&mut out, *seq),
        }
        out
    }

    pub fn decode(kind: u8, payload: &[u8]) -> Result<ObjectWire, DecodeError> {
        let mut r = Reader::new(payload);
        let w = match kind {
            KIND_OBJECT_CALL => ObjectWire::Call { call: r.u64()?, body: call(&mut r)? },
            KIND_OBJECT_REPLY => ObjectWire::Reply { call: r.u64()?, outcome: outcome(&mut r)? },
            KIND_OBJECT_CANCEL => ObjectWire::Cancel { call: r.u64()? },
            KIND_OBJECT_REPLY_COOKIE => {
                ObjectWire::ReplyCookie { call: r.u64()?, outcome: outcome(&mut r)?, cookie: cookie(&mut r)? }
            }
            KIND_OBJECT_INSTALL => {
                let (ticket, adapter, policy, id, body) = (r.u64()?, r.str()?, r.str()?, r.str()?, body(&mut r)?);
                let n = r.count(8)?;
                if n > MAX_STATES {
                    return Err(DecodeError(format!("{n} servant states, over the limit of {MAX_STATES}")));
                }
                let mut states = Vec::with_capacity(n);
                for _ in 0..n {
                    states.push((r.str()?, bytes(&mut r)?));
                }
                ObjectWire::Install { ticket, adapter, policy, id, body, states }
            }
            KIND_OBJECT_INSTALLED => {
                let ticket = r.u64()?;
                let result = match r.byte()? {
                    0 => Ok(()),
                    1 => Err(r.str()?),
                    t => return Err(DecodeError(format!("bad install result {t}"))),
                };
                ObjectWire::Installed { ticket, result }
            }
            KIND_OBJECT_PROBE => ObjectWire::Probe { ticket: r.u64()? },
            KIND_OBJECT_PROBE_ACK => ObjectWire::ProbeAck { ticket: r.u64()?, load: r.u64()?, epoch: r.u64()? },
            KIND_OBJECT_HAND_OFF => ObjectWire::HandOff { call: r.u64()?, reference: r.str()?, addr: r.str()? },
            KIND_OBJECT_CALL_CACHING => ObjectWire::CallCaching { call: r.u64()?, body: call(&mut r)? },
            KIND_OBJECT_REPLY_LEASE => ObjectWire::ReplyLease {
                call: r.u64()?,
                outcome: outcome(&mut r)?,
                lease_ms: r.u64()?,
                epoch: r.u64()?,
            },
            KIND_OBJECT_INVALIDATE => ObjectWire::Invalidate { seq: r.u64()?, object: r.str()? },
            KIND_OBJECT_INVALIDATE_ACK => ObjectWire::InvalidateAck { seq: r.u64()? },
            k => return Err(DecodeError(format!("not an object frame kind {k}"))),
        };
        finish(&r, w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_call() -> Call {
        Call {
            target: "itin://a/b/c".into(),
            method: "add".into(),
            args: vec!["1".into(), String::new(), "x y".into()],
            session: "s".into(),
            timeout_ms: 1500,
            cookie: vec![9, 8, 7],
        }
    }

    fn requests() -> Vec<ObjectRequest> {
        vec![
            ObjectRequest::AdapterCreate { name: "bank".into(), policy: "threading=single".into() },
            ObjectRequest::AdapterList,
            ObjectRequest::AdapterRemove { name: "bank".into() },
            ObjectRequest::ObjectAdd {
                adapter: "bank".into(),
                id: "a1".into(),
                body: Body::Tcl("proc x {} {}".into()),
            },
            ObjectRequest::ObjectAdd { adapter: "bank".into(), id: "a2".into(), body: Body::Rust("Counter".into()) },
            ObjectRequest::ObjectList { adapter: None },
            ObjectRequest::ObjectList { adapter: Some("bank".into()) },
            ObjectRequest::ObjectRemove { adapter: "bank".into(), id: "a1".into() },
            ObjectRequest::ObjectMove { adapter: "bank".into(), id: "a1".into(), node: "beta".into() },
            ObjectRequest::Call { call: sample_call(), follow: true },
            ObjectRequest::OpenChannel,
            ObjectRequest::OpenUrgent { token: u64::MAX - 1 },
        ]
    }

    fn replies() -> Vec<ObjectReply> {
        vec![
            ObjectReply::Done,
            ObjectReply::Adapters(vec![AdapterRow {
                name: "b".into(),
                policy: "p".into(),
                objects: 2,
                running: 1,
                queued: 0,
            }]),
            ObjectReply::Objects(vec![ObjectRow {
                reference: "itin://a/b/c".into(),
                kind: "tcl".into(),
                active: 1,
                activations: 3,
                calls: 9,
            }]),
            ObjectReply::Called(CallOutcome::Ok("5".into())),
            ObjectReply::Called(CallOutcome::Err("no method".into())),
            ObjectReply::Called(CallOutcome::Moved("itin://b/b/c".into())),
            ObjectReply::Called(CallOutcome::Unavailable("node down".into())),
            ObjectReply::Reference("itin://b/b/c".into()),
            ObjectReply::Channel { token: 77 },
        ]
    }

    fn wires() -> Vec<ObjectWire> {
        vec![
            ObjectWire::Call { call: 7, body: sample_call() },
            ObjectWire::Reply { call: 7, outcome: CallOutcome::Ok("r".into()) },
            ObjectWire::Cancel { call: u64::MAX },
            ObjectWire::ReplyCookie { call: 8, outcome: CallOutcome::Err("no".into()), cookie: vec![1; 41] },
            ObjectWire::Install {
                ticket: 3,
                adapter: "bank".into(),
                policy: "threading=single".into(),
                id: "a1".into(),
                body: Body::Tcl("set n 0".into()),
                states: vec![(String::new(), vec![1, 2, 3]), ("s".into(), vec![])],
            },
            ObjectWire::Installed { ticket: 3, result: Ok(()) },
            ObjectWire::Installed { ticket: 4, result: Err("no".into()) },
            ObjectWire::Probe { ticket: 5 },
            ObjectWire::ProbeAck { ticket: 5, load: 12, epoch: u64::MAX },
            ObjectWire::HandOff { call: 9, reference: "itin://b1/bank/x".into(), addr: "127.0.0.1:4000".into() },
            ObjectWire::CallCaching { call: 10, body: sample_call() },
            ObjectWire::ReplyLease { call: 10, outcome: CallOutcome::Ok("v".into()), lease_ms: 500, epoch: 3 },
            ObjectWire::Invalidate { seq: 2, object: "itin://a/b/c".into() },
            ObjectWire::InvalidateAck { seq: 2 },
        ]
    }

    #[test]
    fn everything_round_trips_and_truncation_is_refused() {
        for q in requests() {
            let mut bytes = Vec::new();
            q.encode_into(&mut bytes);
            let mut r = Reader::new(&bytes);
            assert_eq!(ObjectRequest::decode_from(&mut r).unwrap(), q);
            assert_eq!(r.left(), 0);
            for cut in 0..bytes.len() {
                assert!(ObjectRequest::decode_from(&mut Reader::new(&bytes[..cut])).is_err(), "{q:?} at {cut}");
            }
        }
        for a in replies() {
            let mut bytes = Vec::new();
            a.encode_into(&mut bytes);
            assert_eq!(ObjectReply::decode_from(&mut Reader::new(&bytes)).unwrap(), a);
            for cut in 0..bytes.len() {
                assert!(ObjectReply::decode_from(&mut Reader::new(&bytes[..cut])).is_err(), "{a:?} at {cut}");
            }
        }
        for w in wires() {
            let f = w.frame();
            assert!(is_object_kind(f.kind));
            assert_eq!(f.lane == Lane::Urgent, matches!(w, ObjectWire::Cancel { .. }));
            assert_eq!(ObjectWire::decode(f.kind, &f.payload).unwrap(), w);
            for cut in 0..f.payload.len() {
                assert!(ObjectWire::decode(f.kind, &f.payload[..cut]).is_err(), "{w:?} at {cut}");
            }
            let mut padded = f.payload.clone();
            padded.push(0);
            assert!(ObjectWire::decode(f.kind, &padded).is_err());
        }
        assert!(!is_object_kind(29) && !is_object_kind(43));
        assert_eq!(decode_body(&encode_body(&Body::Tcl("x".into()))).unwrap(), Body::Tcl("x".into()));
    }
}
