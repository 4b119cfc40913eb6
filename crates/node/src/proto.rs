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
                let (flag, text) = match outcome {
                    Ok(id) => (1, id),
                    Err(why) => (0, why),
                };
                out.push(flag);
                put_str(&mut out, text);
            }
            Wire::Location { agent, node, epoch } => {
                put_str(&mut out, agent);
                put_str(&mut out, node);
                out.extend_from_slice(&epoch.to_be_bytes());
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
                let outcome = match r.byte()? {
                    1 => Ok(r.str()?),
                    0 => Err(r.str()?),
                    f => return Err(DecodeError(format!("bad flag {f}"))),
                };
                Wire::TransferReply { agent, epoch, outcome }
            }
            KIND_LOCATION => Wire::Location { agent: r.str()?, node: r.str()?, epoch: r.u64()? },
            k => return Err(DecodeError(format!("unknown message kind {k}"))),
        };
        if r.left() != 0 {
            return Err(DecodeError(format!("{} bytes left over", r.left())));
        }
        Ok(w)
    }
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

    pub(crate) fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        if n > self.left() {
            return Err(DecodeError(format!("truncated: wanted {n} bytes, {} left", self.left())));
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    pub(crate) fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
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
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| DecodeError("string is not UTF-8".into()))
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

    proptest! {
        #[test]
        fn garbage_is_refused_not_panicked(kind in 0u8..8, bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Wire::decode(kind, &bytes);
        }
    }
}
