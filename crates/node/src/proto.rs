//! The messages nodes exchange, inside frames (`net::frame`). Only these
//! types cross the wire; the runtime's types are converted at the edge.
//!
//! Encoding: strings are a u32 big-endian length and UTF-8 bytes; integers
//! are 8-byte big-endian; optional values are a flag byte (0/1) and the
//! value. Decoding checks every length against the bytes left.

use itinerant_core::{Acl, AgentId, Message};

/// Frame kinds.
pub const KIND_HELLO: u8 = 1;
pub const KIND_AGENT_MESSAGE: u8 = 2;
pub const KIND_DF_UPDATE: u8 = 3;
pub const KIND_TRANSFER: u8 = 4;
pub const KIND_TRANSFER_REPLY: u8 = 5;
pub const KIND_LOCATION: u8 = 6;
pub const KIND_LIBRARY_REQUEST: u8 = 7;
pub const KIND_LIBRARY_REPLY: u8 = 8;
pub const KIND_RESOURCE_CALL: u8 = 9;
pub const KIND_RESOURCE_REPLY: u8 = 10;
pub const KIND_LOAD: u8 = 11;
/// Code segments of WebAssembly agents (`wasm_code.rs`): the source offers
/// a module by hash before a transfer, the receiver says whether it wants
/// it, and the source sends it only then.
pub const KIND_MODULE_OFFER: u8 = 13;
pub const KIND_MODULE_WANTED: u8 = 14;
pub const KIND_MODULE_DATA: u8 = 15;
/// One past the highest kind (fuzzing and tests cover `0..KIND_END`).
pub const KIND_END: u8 = 12;
/// Most words in a resource operation.
const MAX_RESOURCE_WORDS: usize = 8;

/// An ACL message's performative and parameters, as they travel.
pub type WireAcl = (String, Vec<(String, String)>);

/// What a frame carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wire {
    /// First frame on a connection: who is speaking, and where it listens
    /// (so that the receiver can open a link back).
    Hello { node: String, listen: String },
    /// The directory entries of one agent of the sending node (none: it
    /// left the directory).
    DfUpdate { agent: String, services: Vec<Vec<(String, String)>> },
    /// A message for an agent on (or last seen on, or at home on) the
    /// receiving node; `hops` counts the nodes it passed already; `seq` is
    /// its number from its sending agent (0: none, see `ordering.rs`).
    AgentMessage { to: String, from: Option<String>, code: i64, body: String, acl: Option<WireAcl>, hops: u8, seq: u64 },
    /// An agent (jump), a clone (fork) or a child (submit) handed over:
    /// `kind` names which, `image` is its encoded image (`image.rs`).
    Transfer { kind: String, image: Vec<u8> },
    /// The destination's answer to the transfer (agent id, epoch): the id
    /// the agent has there, or why it was refused.
    TransferReply { agent: String, epoch: u64, outcome: Result<String, String> },
    /// An agent of the receiving node (its home) now lives on `node`.
    Location { agent: String, node: String, epoch: u64 },
    /// A resource operation for a resource on the receiving node (an
    /// agent's global reference, see `itinerant_core::resources`); `call`
    /// 0 wants no answer.
    ResourceCall { call: u64, op: Vec<String> },
    /// The answer to a resource call.
    ResourceReply { call: u64, result: Result<String, String> },
    /// Code on demand: does the receiver have library `name` meeting
    /// `requirement` (`Requirement::encode`)? `ticket` names the question.
    LibraryRequest { ticket: u64, name: String, requirement: String },
    /// The answer to the request `ticket`: the version and script of the
    /// best such library the sender has, or none.
    LibraryReply { ticket: u64, name: String, found: Option<(String, String)> },
    /// The sending node's load (sent to every peer periodically, for
    /// drain and balancing): agents wanting a worker, agents living there,
    /// and whether it refuses new agents.
    Load { runnable: u64, agents: u64, draining: bool },
    /// A transfer of a wasm agent follows: does the receiver lack the
    /// module (the hex sha-256 of its instrumented bytes)?
    ModuleOffer { hash: String },
    /// The receiver's answer to an offer.
    ModuleWanted { hash: String, wanted: bool },
    /// The module itself (checked against its hash on receipt).
    ModuleData { hash: String, module: Vec<u8> },
}

/// Why a payload was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad message: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

impl Wire {
    /// The wire form of a runtime message for `to`.
    pub fn from_message(to: &AgentId, m: &Message) -> Wire {
        Wire::AgentMessage {
            to: to.to_string(),
            from: m.from.as_ref().map(|f| f.to_string()),
            code: m.code,
            body: m.body.clone(),
            acl: m.acl.as_ref().map(|a| (a.performative.clone(), a.params.clone())),
            hops: m.hops,
            seq: m.seq.unwrap_or(0),
        }
    }

    /// Back to the runtime's types (the receiver and the message).
    pub fn into_message(self) -> Result<(AgentId, Message), DecodeError> {
        let Wire::AgentMessage { to, from, code, body, acl, hops, seq } = self else {
            return Err(DecodeError("not an agent message".into()));
        };
        let to = AgentId::parse(&to).ok_or_else(|| DecodeError(format!("bad agent id \"{to}\"")))?;
        let from = match from {
            Some(f) => Some(AgentId::parse(&f).ok_or_else(|| DecodeError(format!("bad agent id \"{f}\"")))?),
            None => None,
        };
        let acl = acl.map(|(performative, params)| Box::new(Acl { performative, params }));
        Ok((to, Message { from, code, body, acl, hops, seq: (seq != 0).then_some(seq) }))
    }

    pub fn kind(&self) -> u8 {
        match self {
            Wire::Hello { .. } => KIND_HELLO,
            Wire::AgentMessage { .. } => KIND_AGENT_MESSAGE,
            Wire::DfUpdate { .. } => KIND_DF_UPDATE,
            Wire::Transfer { .. } => KIND_TRANSFER,
            Wire::TransferReply { .. } => KIND_TRANSFER_REPLY,
            Wire::Location { .. } => KIND_LOCATION,
            Wire::ResourceCall { .. } => KIND_RESOURCE_CALL,
            Wire::ResourceReply { .. } => KIND_RESOURCE_REPLY,
            Wire::LibraryRequest { .. } => KIND_LIBRARY_REQUEST,
            Wire::LibraryReply { .. } => KIND_LIBRARY_REPLY,
            Wire::Load { .. } => KIND_LOAD,
            Wire::ModuleOffer { .. } => KIND_MODULE_OFFER,
            Wire::ModuleWanted { .. } => KIND_MODULE_WANTED,
            Wire::ModuleData { .. } => KIND_MODULE_DATA,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Wire::Hello { node, listen } => {
                put_str(&mut out, node);
                put_str(&mut out, listen);
            }
            Wire::DfUpdate { agent, services } => {
                put_str(&mut out, agent);
                out.extend_from_slice(&(services.len() as u32).to_be_bytes());
                for s in services {
                    put_pairs(&mut out, s.iter().map(|(k, v)| (k, v)));
                }
            }
            Wire::AgentMessage { to, from, code, body, acl, hops, seq } => {
                put_str(&mut out, to);
                put_opt(&mut out, from.as_deref());
                out.extend_from_slice(&code.to_be_bytes());
                put_str(&mut out, body);
                put_acl(&mut out, acl.as_ref().map(|(p, params)| (p.as_str(), params.as_slice())));
                out.push(*hops);
                out.extend_from_slice(&seq.to_be_bytes());
            }
            Wire::Transfer { kind, image } => {
                put_str(&mut out, kind);
                out.extend_from_slice(&(image.len() as u32).to_be_bytes());
                out.extend_from_slice(image);
            }
            Wire::TransferReply { agent, epoch, outcome } => {
                put_str(&mut out, agent);
                out.extend_from_slice(&epoch.to_be_bytes());
                put_result(&mut out, outcome);
            }
            Wire::ResourceCall { call, op } => {
                out.extend_from_slice(&call.to_be_bytes());
                out.push(op.len() as u8);
                for w in op {
                    put_str(&mut out, w);
                }
            }
            Wire::ResourceReply { call, result } => {
                out.extend_from_slice(&call.to_be_bytes());
                put_result(&mut out, result);
            }
            Wire::Location { agent, node, epoch } => {
                put_str(&mut out, agent);
                put_str(&mut out, node);
                out.extend_from_slice(&epoch.to_be_bytes());
            }
            Wire::LibraryRequest { ticket, name, requirement } => {
                out.extend_from_slice(&ticket.to_be_bytes());
                put_str(&mut out, name);
                put_str(&mut out, requirement);
            }
            Wire::LibraryReply { ticket, name, found } => {
                out.extend_from_slice(&ticket.to_be_bytes());
                put_str(&mut out, name);
                match found {
                    Some((version, script)) => {
                        out.push(1);
                        put_str(&mut out, version);
                        put_str(&mut out, script);
                    }
                    None => out.push(0),
                }
            }
            Wire::Load { runnable, agents, draining } => {
                out.extend_from_slice(&runnable.to_be_bytes());
                out.extend_from_slice(&agents.to_be_bytes());
                out.push(u8::from(*draining));
            }
            Wire::ModuleOffer { hash } => put_str(&mut out, hash),
            Wire::ModuleWanted { hash, wanted } => {
                put_str(&mut out, hash);
                out.push(u8::from(*wanted));
            }
            Wire::ModuleData { hash, module } => {
                put_str(&mut out, hash);
                out.extend_from_slice(&(module.len() as u32).to_be_bytes());
                out.extend_from_slice(module);
            }
        }
        out
    }

    pub fn decode(kind: u8, payload: &[u8]) -> Result<Wire, DecodeError> {
        let mut r = Reader::new(payload);
        let w = match kind {
            KIND_HELLO => Wire::Hello { node: r.str()?, listen: r.str()? },
            KIND_DF_UPDATE => {
                let agent = r.str()?;
                let n = r.count(4)?;
                let mut services = Vec::with_capacity(n);
                for _ in 0..n {
                    services.push(r.pairs()?);
                }
                Wire::DfUpdate { agent, services }
            }
            KIND_AGENT_MESSAGE => {
                let to = r.str()?;
                let from = r.opt()?;
                let code = r.u64()? as i64;
                let body = r.str()?;
                let acl = r.acl()?;
                let hops = r.byte()?;
                let seq = r.u64()?;
                Wire::AgentMessage { to, from, code, body, acl, hops, seq }
            }
            KIND_TRANSFER => {
                let kind = r.str()?;
                let n = r.u32()? as usize;
                Wire::Transfer { kind, image: r.take(n)?.to_vec() }
            }
            KIND_TRANSFER_REPLY => {
                let agent = r.str()?;
                let epoch = r.u64()?;
                Wire::TransferReply { agent, epoch, outcome: r.result()? }
            }
            KIND_RESOURCE_CALL => {
                let call = r.u64()?;
                let n = r.byte()? as usize;
                if n == 0 || n > MAX_RESOURCE_WORDS {
                    return Err(DecodeError(format!("resource operation of {n} words")));
                }
                Wire::ResourceCall { call, op: (0..n).map(|_| r.str()).collect::<Result<_, _>>()? }
            }
            KIND_RESOURCE_REPLY => Wire::ResourceReply { call: r.u64()?, result: r.result()? },
            KIND_LOCATION => Wire::Location { agent: r.str()?, node: r.str()?, epoch: r.u64()? },
            KIND_LIBRARY_REQUEST => Wire::LibraryRequest { ticket: r.u64()?, name: r.str()?, requirement: r.str()? },
            KIND_LIBRARY_REPLY => {
                let (ticket, name) = (r.u64()?, r.str()?);
                let found = match r.byte()? {
                    0 => None,
                    1 => Some((r.str()?, r.str()?)),
                    f => return Err(DecodeError(format!("bad flag {f}"))),
                };
                Wire::LibraryReply { ticket, name, found }
            }
            KIND_LOAD => Wire::Load {
                runnable: r.u64()?,
                agents: r.u64()?,
                draining: match r.byte()? {
                    0 => false,
                    1 => true,
                    f => return Err(DecodeError(format!("bad flag {f}"))),
                },
            },
            KIND_MODULE_OFFER => Wire::ModuleOffer { hash: r.str()? },
            KIND_MODULE_WANTED => Wire::ModuleWanted {
                hash: r.str()?,
                wanted: match r.byte()? {
                    0 => false,
                    1 => true,
                    f => return Err(DecodeError(format!("bad flag {f}"))),
                },
            },
            KIND_MODULE_DATA => {
                let hash = r.str()?;
                let n = r.u32()? as usize;
                Wire::ModuleData { hash, module: r.take(n)?.to_vec() }
            }
            k => return Err(DecodeError(format!("unknown message kind {k}"))),
        };
        if r.left() != 0 {
            return Err(DecodeError(format!("{} bytes left over", r.left())));
        }
        Ok(w)
    }
}

/// A result: 1 and the value, or 0 and the reason.
fn put_result(out: &mut Vec<u8>, result: &Result<String, String>) {
    let (flag, text) = match result {
        Ok(v) => (1, v),
        Err(why) => (0, why),
    };
    out.push(flag);
    put_str(out, text);
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A message's ACL part: a flag, then the performative and parameters.
pub(crate) fn put_acl(out: &mut Vec<u8>, acl: Option<(&str, &[(String, String)])>) {
    match acl {
        Some((performative, params)) => {
            out.push(1);
            put_str(out, performative);
            put_pairs(out, params.iter().map(|(k, v)| (k, v)));
        }
        None => out.push(0),
    }
}

/// Key–value pairs: a count, then each key and value.
pub(crate) fn put_pairs<'a>(out: &mut Vec<u8>, pairs: impl ExactSizeIterator<Item = (&'a String, &'a String)>) {
    out.extend_from_slice(&(pairs.len() as u32).to_be_bytes());
    for (k, v) in pairs {
        put_str(out, k);
        put_str(out, v);
    }
}

/// A runtime message (without its receiver).
pub(crate) fn put_message(out: &mut Vec<u8>, m: &Message) {
    put_opt(out, m.from.as_ref().map(|f| f.as_str()));
    out.extend_from_slice(&m.code.to_be_bytes());
    put_str(out, &m.body);
    put_acl(out, m.acl.as_ref().map(|a| (a.performative.as_str(), a.params.as_slice())));
}

pub(crate) fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}

/// Bounds-checked reading of a payload: every length is checked against
/// the bytes left.
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Reader<'a> {
        Reader { b, at: 0 }
    }

    pub(crate) fn left(&self) -> usize {
        self.b.len() - self.at
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.left() {
            return Err(DecodeError(format!("truncated: wanted {n} bytes, {} left", self.left())));
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    #[inline]
    pub(crate) fn byte(&mut self) -> Result<u8, DecodeError> {
        match self.b.get(self.at) {
            Some(&b) => {
                self.at += 1;
                Ok(b)
            }
            None => Err(DecodeError("truncated: wanted 1 byte, 0 left".into())),
        }
    }

    fn result(&mut self) -> Result<Result<String, String>, DecodeError> {
        match self.byte()? {
            1 => Ok(Ok(self.str()?)),
            0 => Ok(Err(self.str()?)),
            f => Err(DecodeError(format!("bad flag {f}"))),
        }
    }

    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, DecodeError> {
        let b = self.take(8)?;
        Ok(u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }

    /// A count of items of at least `min_size` bytes each, checked against
    /// the bytes left (so a forged count cannot make us allocate).
    pub(crate) fn count(&mut self, min_size: usize) -> Result<usize, DecodeError> {
        let n = self.u32()? as usize;
        if n > self.left() / min_size {
            return Err(DecodeError(format!("{n} items in {} bytes", self.left())));
        }
        Ok(n)
    }

    pub(crate) fn str(&mut self) -> Result<String, DecodeError> {
        self.str_ref().map(str::to_owned)
    }

    /// A string borrowed from the input.
    pub(crate) fn str_ref(&mut self) -> Result<&'a str, DecodeError> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        std::str::from_utf8(b).map_err(|_| DecodeError("string is not UTF-8".into()))
    }

    pub(crate) fn opt(&mut self) -> Result<Option<String>, DecodeError> {
        match self.byte()? {
            0 => Ok(None),
            1 => Ok(Some(self.str()?)),
            f => Err(DecodeError(format!("bad flag {f}"))),
        }
    }

    pub(crate) fn pairs(&mut self) -> Result<Vec<(String, String)>, DecodeError> {
        // Each pair takes at least 8 bytes.
        let n = self.count(8)?;
        (0..n).map(|_| Ok((self.str()?, self.str()?))).collect()
    }

    pub(crate) fn acl(&mut self) -> Result<Option<WireAcl>, DecodeError> {
        match self.byte()? {
            0 => Ok(None),
            1 => Ok(Some((self.str()?, self.pairs()?))),
            f => Err(DecodeError(format!("bad flag {f}"))),
        }
    }

    pub(crate) fn agent_id(&mut self) -> Result<AgentId, DecodeError> {
        let s = self.str()?;
        AgentId::parse(&s).ok_or_else(|| DecodeError(format!("bad agent id \"{s}\"")))
    }

    /// A message written by `put_message`.
    pub(crate) fn message(&mut self) -> Result<Message, DecodeError> {
        let from = match self.opt()? {
            Some(f) => Some(AgentId::parse(&f).ok_or_else(|| DecodeError(format!("bad agent id \"{f}\"")))?),
            None => None,
        };
        let code = self.u64()? as i64;
        let body = self.str()?;
        let acl = self.acl()?.map(|(performative, params)| Box::new(Acl { performative, params }));
        Ok(Message { from, code, body, acl, hops: 0, seq: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Wire messages' bytes, pinned: an agent message with an ACL, a
    /// transfer answer and a location (numbers big-endian, strings
    /// length-prefixed), whatever the machine.
    #[test]
    fn wire_messages_have_golden_bytes() {
        let message = Message {
            from: AgentId::parse("1@alpha"),
            code: -5,
            body: "héllo ✓".into(),
            acl: Some(Box::new(Acl { performative: "inform".into(), params: vec![("content".into(), "x".into())] })),
            hops: 2,
            seq: Some(0x0102_0304_0506_0708),
        };
        let wires = [
            Wire::from_message(&AgentId::parse("3@beta").unwrap(), &message),
            Wire::TransferReply { agent: "7@alpha".into(), epoch: 258, outcome: Err("refused".into()) },
            Wire::Location { agent: "7@alpha".into(), node: "gamma".into(), epoch: u64::MAX - 1 },
        ];
        let mut bytes = Vec::new();
        for w in &wires {
            bytes.extend_from_slice(
                &crate::net::frame::Frame { lane: crate::net::frame::Lane::Data, kind: w.kind(), payload: w.encode() }
                    .encode(),
            );
        }
        crate::golden::assert_golden("wire-messages", &bytes);
        let mut decoder = crate::net::frame::FrameDecoder::new(crate::net::frame::DEFAULT_MAX_PAYLOAD);
        let frames = decoder.push(&crate::golden::committed("wire-messages", &bytes)).expect("golden frames");
        let back: Vec<Wire> = frames.iter().map(|f| Wire::decode(f.kind, &f.payload).expect("golden wire")).collect();
        assert_eq!(back, wires);
    }

    #[test]
    fn message_roundtrip() {
        let to = AgentId::parse("3@beta").unwrap();
        let m = Message {
            from: AgentId::parse("1@alpha"),
            code: -5,
            body: "héllo".into(),
            acl: Some(Box::new(Acl { performative: "inform".into(), params: vec![("content".into(), "x".into())] })),
            hops: 2,
            seq: Some(17),
        };
        let w = Wire::from_message(&to, &m);
        let back = Wire::decode(w.kind(), &w.encode()).unwrap();
        assert_eq!(back.into_message().unwrap(), (to.clone(), m.clone()));
        let unnumbered = Message { seq: None, ..m };
        let w = Wire::from_message(&to, &unnumbered);
        assert!(matches!(w, Wire::AgentMessage { seq: 0, .. }));
        assert_eq!(Wire::decode(w.kind(), &w.encode()).unwrap().into_message().unwrap(), (to, unnumbered));
    }

    #[test]
    fn resource_frames_roundtrip_and_truncations_are_refused() {
        let frames = [
            Wire::ResourceCall { call: 7, op: vec!["store-set".into(), "k".into(), "vé".into()] },
            Wire::ResourceReply { call: 7, result: Ok("x".into()) },
            Wire::ResourceReply { call: 0, result: Err("no".into()) },
        ];
        for w in frames {
            let bytes = w.encode();
            assert_eq!(Wire::decode(w.kind(), &bytes).unwrap(), w);
            for n in 0..bytes.len() {
                assert!(Wire::decode(w.kind(), &bytes[..n]).is_err());
            }
        }
        let empty = Wire::ResourceCall { call: 1, op: vec![] }.encode();
        assert!(Wire::decode(KIND_RESOURCE_CALL, &empty).is_err());
    }

    #[test]
    fn library_messages_roundtrip_and_truncations_are_refused() {
        let messages = [
            Wire::LibraryRequest { ticket: 9, name: "geo".into(), requirement: "=1.2".into() },
            Wire::LibraryReply {
                ticket: u64::MAX,
                name: "geo".into(),
                found: Some(("1.2".into(), "proc a {} {}".into())),
            },
            Wire::LibraryReply { ticket: 0, name: String::new(), found: None },
        ];
        for w in messages {
            let bytes = w.encode();
            assert_eq!(Wire::decode(w.kind(), &bytes), Ok(w.clone()));
            for cut in 0..bytes.len() {
                assert!(Wire::decode(w.kind(), &bytes[..cut]).is_err(), "{w:?} cut at {cut}");
            }
        }
        let mut bad_flag = Wire::LibraryReply { ticket: 1, name: "g".into(), found: None }.encode();
        *bad_flag.last_mut().unwrap() = 2;
        assert!(Wire::decode(KIND_LIBRARY_REPLY, &bad_flag).is_err());
    }

    #[test]
    fn load_roundtrip_and_bad_flag() {
        let w = Wire::Load { runnable: 7, agents: u64::MAX, draining: true };
        let bytes = w.encode();
        assert_eq!(Wire::decode(KIND_LOAD, &bytes), Ok(w));
        for cut in 0..bytes.len() {
            assert!(Wire::decode(KIND_LOAD, &bytes[..cut]).is_err());
        }
        let mut bad = bytes.clone();
        *bad.last_mut().unwrap() = 2;
        assert!(Wire::decode(KIND_LOAD, &bad).unwrap_err().0.contains("bad flag"));
    }

    #[test]
    fn module_frames_roundtrip_and_truncations_are_refused() {
        for w in [
            Wire::ModuleOffer { hash: "ab".repeat(32) },
            Wire::ModuleWanted { hash: "cd".into(), wanted: true },
            Wire::ModuleData { hash: "ef".into(), module: vec![0, 97, 115, 109, 1] },
        ] {
            let bytes = w.encode();
            assert_eq!(Wire::decode(w.kind(), &bytes), Ok(w.clone()));
            for cut in 0..bytes.len() {
                assert!(Wire::decode(w.kind(), &bytes[..cut]).is_err(), "{w:?} cut at {cut}");
            }
        }
    }

    proptest! {
        #[test]
        fn garbage_is_refused_not_panicked(kind in 0u8..KIND_END + 1, bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Wire::decode(kind, &bytes);
        }
    }
}
