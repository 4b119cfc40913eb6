//! The byte form of an agent image (`itinerant_core::AgentImage`): what the
//! store keeps for every agent, and what migration will carry between
//! nodes. Same conventions as `proto.rs` (big-endian, every length checked
//! against the bytes left); a magic and a version lead, so that a record
//! from a future or foreign format is refused with a reason.
//!
//! Versions: 1 had no ordering tables (read as empty); 2 adds them after
//! the mailbox: the next number per receiver, then per sender the next
//! number expected and the held-back messages with their numbers.
//! Version 3 appends the agent's credential (owner, signed submission,
//! signature; `owner.rs`) at the end, flagged (0: an unsigned agent).
//! Version 4 appends the itinerary (hops dropped, then per hop the node,
//! arrival and departure times; `observe.rs`); older images read with none.
//! Version 5 writes the itinerary compactly (its node names once, then per
//! hop a name index and the times as varint deltas): 4-5 bytes a hop
//! instead of ~25, on every hop of a moving agent.

use itinerant_core::observe::{Hop, Itinerary, MAX_HOPS};
use itinerant_core::ordering::{OrderingState, Stream};
use itinerant_core::owner::{Credential, Owner, Submission};
use itinerant_core::resources::{Action, Attach, By, Carried, Kind, Resource};
use itinerant_core::AgentImage;

use crate::proto::{put_message, put_opt, put_pairs, put_str, DecodeError, Reader};

const MAGIC: &[u8; 4] = b"ITAI";
/// The version written: version 2 added `moving_to` (a platform move
/// under way), the ordering tables, resource bindings and carried
/// resource data; version 3 the credential; version 4 the itinerary;
/// version 5 the compact itinerary.
const VERSION: u16 = 5;
/// The oldest version read (without any of those).
const OLDEST_VERSION: u16 = 1;

/// Largest image accepted (the interpreter snapshot dominates).
pub const MAX_IMAGE_BYTES: usize = 256 << 20;

pub fn encode(image: &AgentImage) -> Vec<u8> {
    // The itinerary takes a few bytes a hop.
    let mut out =
        Vec::with_capacity(image.snapshot.len() + image.console.len() + 8 * image.itinerary.hops().len() + 128);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    put_str(&mut out, image.id.as_str());
    out.extend_from_slice(&image.epoch.to_be_bytes());
    put_opt(&mut out, image.name.as_deref());
    out.push(image.suspended as u8);
    match image.wake_at_ms {
        Some(ms) => {
            out.push(1);
            out.extend_from_slice(&ms.to_be_bytes());
        }
        None => out.push(0),
    }
    put_str(&mut out, &image.console);
    put_opt(&mut out, image.moving_to.as_deref());
    out.extend_from_slice(&(image.services.len() as u32).to_be_bytes());
    for s in &image.services {
        put_pairs(&mut out, s.iter());
    }
    out.extend_from_slice(&(image.mailbox.len() as u32).to_be_bytes());
    for m in &image.mailbox {
        put_message(&mut out, m);
    }
    put_ordering(&mut out, &image.ordering);
    out.extend_from_slice(&(image.snapshot.len() as u32).to_be_bytes());
    out.extend_from_slice(&image.snapshot);
    out.extend_from_slice(&(image.resources.len() as u32).to_be_bytes());
    for r in &image.resources {
        put_resource(&mut out, r);
    }
    out.extend_from_slice(&(image.carried.len() as u32).to_be_bytes());
    for c in &image.carried {
        match c {
            Carried::File { path, data } => {
                out.push(1);
                put_str(&mut out, path);
                put_str(&mut out, data);
            }
            Carried::Store { prefix, entries } => {
                out.push(2);
                put_str(&mut out, prefix);
                put_pairs(&mut out, entries.iter().map(|(k, v)| (k, v)));
            }
        }
    }
    match &image.credential {
        Some(c) => {
            out.push(1);
            put_credential(&mut out, c);
        }
        None => out.push(0),
    }
    put_itinerary(&mut out, &image.itinerary);
    out
}

/// Flags a hop whose departure time follows (in its name-index byte).
const HOP_LEFT: u8 = 0x80;

/// The itinerary (version 5): hops dropped; the distinct node names in
/// order of first visit; the hop count; per hop a byte (index of its name,
/// `HOP_LEFT` if a departure time follows), its arrival as a zigzag varint
/// delta from the previous hop's arrival (the first from 0), and its
/// departure as a zigzag varint delta from its arrival. Deltas wrap, so
/// any times (also from nodes whose clocks disagree) read back exactly.
fn put_itinerary(out: &mut Vec<u8>, it: &Itinerary) {
    out.extend_from_slice(&it.dropped.to_be_bytes());
    // The counts fit a byte, and the indexes leave `HOP_LEFT` free: an
    // itinerary holds at most `MAX_HOPS` (64) names and hops.
    out.push(it.names().len() as u8);
    for n in it.names() {
        put_str(out, n);
    }
    out.push(it.hops().len() as u8);
    let mut prev = 0u64;
    for h in it.hops() {
        out.push(if h.left_ms.is_some() { h.node | HOP_LEFT } else { h.node });
        put_varint(out, zigzag(h.arrived_ms.wrapping_sub(prev)));
        if let Some(left) = h.left_ms {
            put_varint(out, zigzag(left.wrapping_sub(h.arrived_ms)));
        }
        prev = h.arrived_ms;
    }
}

/// Reads what `put_itinerary` wrote: at most `MAX_HOPS` hops and names.
fn read_itinerary(r: &mut Reader) -> Result<Itinerary, DecodeError> {
    let dropped = r.u64()?;
    let n = r.byte()? as usize;
    if n > MAX_HOPS {
        return Err(DecodeError(format!("itinerary of {n} nodes (at most {MAX_HOPS})")));
    }
    let names = (0..n).map(|_| Ok(std::sync::Arc::<str>::from(r.str_ref()?))).collect::<Result<Vec<_>, _>>()?;
    let n = r.byte()? as usize;
    if n > MAX_HOPS {
        return Err(DecodeError(format!("itinerary of {n} hops (at most {MAX_HOPS})")));
    }
    let mut hops = Vec::with_capacity(n);
    let mut prev = 0u64;
    for _ in 0..n {
        let flags = r.byte()?;
        let node = flags & !HOP_LEFT;
        if usize::from(node) >= names.len() {
            return Err(DecodeError(format!("itinerary hop names node {node} of {}", names.len())));
        }
        let arrived_ms = prev.wrapping_add(unzigzag(read_varint(r)?));
        let left_ms = (flags & HOP_LEFT != 0)
            .then(|| read_varint(r).map(|d| arrived_ms.wrapping_add(unzigzag(d))))
            .transpose()?;
        hops.push(Hop { node, arrived_ms, left_ms });
        prev = arrived_ms;
    }
    // Checked above, piece by piece, with the reasons.
    Itinerary::from_parts(names, hops, dropped).ok_or_else(|| DecodeError("a malformed itinerary".into()))
}

/// A signed difference (as wrapped `u64`) with small magnitudes small.
fn zigzag(d: u64) -> u64 {
    let d = d as i64;
    ((d << 1) ^ (d >> 63)) as u64
}

fn unzigzag(z: u64) -> u64 {
    (z >> 1) ^ (z & 1).wrapping_neg()
}

/// LEB128.
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn read_varint(r: &mut Reader) -> Result<u64, DecodeError> {
    // An itinerary's time deltas mostly fit a byte.
    match r.byte()? {
        b if b < 0x80 => Ok(u64::from(b)),
        b => read_varint_long(r, b),
    }
}

/// The rest of a varint whose first byte is `first` (its 0x80 bit set).
fn read_varint_long(r: &mut Reader, first: u8) -> Result<u64, DecodeError> {
    let mut v = u64::from(first & 0x7f);
    for shift in (7..64).step_by(7) {
        let b = r.byte()?;
        // The tenth byte holds only the top bit.
        if shift == 63 && b > 1 {
            return Err(DecodeError("varint over 64 bits".into()));
        }
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(DecodeError("varint over 64 bits".into()))
}

/// An itinerary as version 4 wrote it: at most `MAX_HOPS` hops, each with
/// its node's name and two 8-byte times (a departure time of 0: still there).
fn read_itinerary_v4(r: &mut Reader) -> Result<Itinerary, DecodeError> {
    let dropped = r.u64()?;
    // A hop is at least a 4-byte name length and two 8-byte times.
    let n = r.count(20)?;
    if n > MAX_HOPS {
        return Err(DecodeError(format!("itinerary of {n} hops (at most {MAX_HOPS})")));
    }
    let mut it = Itinerary::default();
    it.dropped = dropped;
    for _ in 0..n {
        let node = r.str_ref()?;
        let arrived_ms = r.u64()?;
        let left_ms = Some(r.u64()?).filter(|ms| *ms != 0);
        // Within the bound checked above.
        it.push(node, arrived_ms, left_ms);
    }
    Ok(it)
}

/// A credential: owner key and name, signature, then the submission (time,
/// nonce, script, name, variables). Also the body of a signed submit.
pub(crate) fn put_credential(out: &mut Vec<u8>, c: &Credential) {
    out.extend_from_slice(&c.owner.key);
    put_str(out, &c.owner.name);
    out.extend_from_slice(&c.signature);
    out.extend_from_slice(&c.submission.issued_at_ms.to_be_bytes());
    out.extend_from_slice(&c.submission.nonce.to_be_bytes());
    put_str(out, &c.submission.script);
    put_opt(out, c.submission.name.as_deref());
    put_pairs(out, c.submission.vars.iter().map(|(k, v)| (k, v)));
}

/// Reads what `put_credential` wrote (the signature is not checked here).
pub(crate) fn read_credential(r: &mut Reader) -> Result<Credential, DecodeError> {
    let key: [u8; 32] = r.take(32)?.try_into().map_err(|_| DecodeError("short owner key".into()))?;
    let name = r.str()?;
    let signature: [u8; 64] = r.take(64)?.try_into().map_err(|_| DecodeError("short signature".into()))?;
    let submission =
        Submission { issued_at_ms: r.u64()?, nonce: r.u64()?, script: r.str()?, name: r.opt()?, vars: r.pairs()? };
    Ok(Credential { owner: Owner { name, key }, submission, signature })
}

fn put_resource(out: &mut Vec<u8>, r: &Resource) {
    put_str(out, &r.handle);
    put_str(out, r.kind.name());
    put_str(out, &r.target);
    put_str(out, r.by.name());
    put_str(out, r.attach.name());
    put_str(out, r.action.name());
    put_str(out, &r.node);
}

/// A binding, checked against the table as when it was made.
fn read_resource(r: &mut Reader) -> Result<Resource, DecodeError> {
    let handle = r.str()?;
    let bad = |what: &str, v: &str| DecodeError(format!("resource {handle}: bad {what} \"{v}\""));
    let kind = r.str()?;
    let kind = Kind::from_name(&kind).ok_or_else(|| bad("kind", &kind))?;
    let target = r.str()?;
    let by = r.str()?;
    let by = By::from_name(&by).ok_or_else(|| bad("binding", &by))?;
    let attach = r.str()?;
    let attach = Attach::from_name(&attach).ok_or_else(|| bad("attachment", &attach))?;
    let action = r.str()?;
    let action = Action::from_name(&action).ok_or_else(|| bad("action", &action))?;
    let node = r.str()?;
    Resource::new(handle.clone(), kind, target, by, Some(attach), Some(action), &node)
        .map_err(|e| DecodeError(format!("resource {handle}: {e}")))
}

pub fn decode(bytes: &[u8]) -> Result<AgentImage, DecodeError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(DecodeError(format!("image of {} bytes is over the limit of {MAX_IMAGE_BYTES}", bytes.len())));
    }
    let mut r = Reader::new(bytes);
    if r.take(4)? != MAGIC {
        return Err(DecodeError("not an agent image".into()));
    }
    let version = u16::from_be_bytes([r.byte()?, r.byte()?]);
    if !(OLDEST_VERSION..=VERSION).contains(&version) {
        return Err(DecodeError(format!(
            "agent image version {version} (this node reads {OLDEST_VERSION} to {VERSION})"
        )));
    }
    let id = r.agent_id()?;
    let epoch = r.u64()?;
    let name = r.opt()?;
    let suspended = match r.byte()? {
        0 => false,
        1 => true,
        f => return Err(DecodeError(format!("bad flag {f}"))),
    };
    let wake_at_ms = match r.byte()? {
        0 => None,
        1 => Some(r.u64()?),
        f => return Err(DecodeError(format!("bad flag {f}"))),
    };
    let console = r.str()?;
    let moving_to = if version >= 2 { r.opt()? } else { None };
    // A service is at least its 4-byte count; a message at least 14 bytes.
    let services =
        (0..r.count(4)?).map(|_| Ok(r.pairs()?.into_iter().collect())).collect::<Result<Vec<_>, DecodeError>>()?;
    let mailbox = (0..r.count(14)?).map(|_| r.message()).collect::<Result<Vec<_>, _>>()?;
    let ordering = if version >= 2 { read_ordering(&mut r)? } else { OrderingState::default() };
    let n = r.u32()? as usize;
    let snapshot = r.take(n)?.to_vec();
    let (mut resources, mut carried) = (Vec::new(), Vec::new());
    if version >= 2 {
        // A binding is at least seven 4-byte lengths; carried data a tag.
        resources = (0..r.count(28)?).map(|_| read_resource(&mut r)).collect::<Result<_, _>>()?;
        for _ in 0..r.count(1)? {
            carried.push(match r.byte()? {
                1 => Carried::File { path: r.str()?, data: r.str()? },
                2 => Carried::Store { prefix: r.str()?, entries: r.pairs()? },
                t => return Err(DecodeError(format!("bad carried resource tag {t}"))),
            });
        }
    }
    let credential = match version {
        ..=2 => None,
        _ => match r.byte()? {
            0 => None,
            1 => Some(std::sync::Arc::new(read_credential(&mut r)?)),
            f => return Err(DecodeError(format!("bad credential flag {f}"))),
        },
    };
    let itinerary = match version {
        ..=3 => Itinerary::default(),
        4 => read_itinerary_v4(&mut r)?,
        _ => read_itinerary(&mut r)?,
    };
    if r.left() != 0 {
        return Err(DecodeError(format!("{} bytes after the image", r.left())));
    }
    Ok(AgentImage {
        id,
        name,
        snapshot,
        mailbox,
        suspended,
        wake_at_ms,
        console,
        services,
        epoch,
        moving_to,
        ordering,
        resources,
        carried,
        credential,
        itinerary,
    })
}

fn put_ordering(out: &mut Vec<u8>, ordering: &OrderingState) {
    out.extend_from_slice(&(ordering.sent.len() as u32).to_be_bytes());
    for (to, next) in &ordering.sent {
        put_str(out, to.as_str());
        out.extend_from_slice(&next.to_be_bytes());
    }
    out.extend_from_slice(&(ordering.received.len() as u32).to_be_bytes());
    for s in &ordering.received {
        put_str(out, s.sender.as_str());
        out.extend_from_slice(&s.expected.to_be_bytes());
        out.extend_from_slice(&(s.held.len() as u32).to_be_bytes());
        for m in &s.held {
            out.extend_from_slice(&m.seq.unwrap_or(0).to_be_bytes());
            put_message(out, m);
        }
    }
}

/// The ordering tables; a held message must be from its stream's sender
/// and numbered past what the stream expects.
fn read_ordering(r: &mut Reader) -> Result<OrderingState, DecodeError> {
    // An entry is at least a 4-byte id length and an 8-byte number.
    let sent = (0..r.count(12)?).map(|_| Ok((r.agent_id()?, r.u64()?))).collect::<Result<Vec<_>, DecodeError>>()?;
    let mut received = Vec::new();
    for _ in 0..r.count(16)? {
        let sender = r.agent_id()?;
        let expected = r.u64()?;
        let mut held = Vec::new();
        for _ in 0..r.count(22)? {
            let seq = r.u64()?;
            let mut m = r.message()?;
            if seq <= expected || m.from.as_ref() != Some(&sender) {
                return Err(DecodeError(format!("held message {seq} does not belong to the stream from {sender}")));
            }
            m.seq = Some(seq);
            held.push(m);
        }
        received.push(Stream { sender, expected, held });
    }
    Ok(OrderingState { sent, received })
}

#[cfg(test)]
mod tests {
    use super::*;
    use itinerant_core::{Acl, AgentId, Message};
    use proptest::prelude::*;

    fn sample() -> AgentImage {
        AgentImage {
            id: AgentId::parse("7@alpha").unwrap(),
            name: Some("seller".into()),
            snapshot: vec![1, 2, 3, 0, 255],
            mailbox: vec![
                Message {
                    from: AgentId::parse("1@beta"),
                    code: -3,
                    body: "héllo".into(),
                    acl: None,
                    hops: 0,
                    seq: None,
                },
                Message {
                    from: None,
                    code: 0,
                    body: "x".into(),
                    acl: Some(Box::new(Acl {
                        performative: "cfp".into(),
                        params: vec![("content".into(), "x".into())],
                    })),
                    hops: 0,
                    seq: None,
                },
            ],
            suspended: true,
            wake_at_ms: Some(1_800_000_000_000),
            console: "line 1\n".into(),
            epoch: 3,
            moving_to: Some("beta".into()),
            services: vec![[("name".to_string(), "s".to_string()), ("type".into(), "t".into())].into_iter().collect()],
            resources: vec![
                Resource::new("file1".into(), Kind::File, "a/b.txt".into(), By::Value, None, None, "alpha").unwrap(),
                Resource::new("console".into(), Kind::Console, "".into(), By::Identifier, None, None, "beta").unwrap(),
            ],
            carried: vec![
                Carried::File { path: "a/b.txt".into(), data: "x\ny".into() },
                Carried::Store { prefix: "p/".into(), entries: vec![("p/1".into(), "v".into())] },
            ],
            ordering: OrderingState {
                sent: vec![(AgentId::parse("2@gamma").unwrap(), 5)],
                received: vec![Stream {
                    sender: AgentId::parse("1@beta").unwrap(),
                    expected: 3,
                    held: vec![Message {
                        from: AgentId::parse("1@beta"),
                        code: 0,
                        body: "early".into(),
                        acl: None,
                        hops: 0,
                        seq: Some(5),
                    }],
                }],
            },
            credential: Some(std::sync::Arc::new(
                itinerant_core::OwnerKey::from_secret("alice", [3; 32]).unwrap().sign(Submission {
                    script: "puts hi".into(),
                    name: Some("w".into()),
                    vars: vec![("x".into(), "1".into())],
                    issued_at_ms: 1_800_000_000_000,
                    nonce: 9,
                }),
            )),
            itinerary: {
                let mut it = Itinerary::default();
                it.dropped = 2;
                it.push("alpha", 1_800_000_000_000, Some(1_800_000_000_040));
                it.push("beta", 1_800_000_000_041, None);
                it
            },
        }
    }

    /// The bytes of `image` (its itinerary empty) in version 3: without
    /// the empty itinerary (dropped count, name count, hop count) at the end.
    fn version_3_bytes(image: &AgentImage) -> Vec<u8> {
        assert!(image.itinerary.hops().is_empty());
        let mut bytes = encode(image);
        assert_eq!(bytes.split_off(bytes.len() - 10), [0; 10]);
        bytes[4..6].copy_from_slice(&3u16.to_be_bytes());
        bytes
    }

    #[test]
    fn a_version_3_image_is_read_without_an_itinerary() {
        let image = AgentImage { itinerary: Itinerary::default(), ..sample() };
        assert_eq!(decode(&version_3_bytes(&image)).unwrap(), image);
    }

    #[test]
    fn an_itinerary_past_its_bound_is_refused() {
        let image = AgentImage { itinerary: Itinerary::default(), ..sample() };
        // The empty itinerary's name and hop counts replaced by one name
        // and 65 hops at it.
        let mut bytes = encode(&image);
        bytes.truncate(bytes.len() - 2);
        bytes.push(1);
        put_str(&mut bytes, "alpha");
        bytes.push(MAX_HOPS as u8 + 1);
        for _ in 0..=MAX_HOPS {
            bytes.extend([0, 0]);
        }
        assert!(decode(&bytes).unwrap_err().0.contains("itinerary of 65 hops"));
    }

    /// The image format's bytes, pinned: every field big-endian or a
    /// length-prefixed string, nothing of the machine's word size.
    #[test]
    fn an_image_has_golden_bytes() {
        let bytes = encode(&sample());
        crate::golden::assert_golden("image-v5", &bytes);
        assert_eq!(bytes[4..6], VERSION.to_be_bytes());
        let back = decode(&crate::golden::committed("image-v5", &bytes)).expect("the golden image decodes");
        assert_eq!(back, sample());
    }

    /// Images stored by a node of the previous version still read.
    #[test]
    fn a_version_4_image_is_read_with_its_itinerary() {
        let bytes = crate::golden::read("image-v4");
        assert_eq!(bytes[4..6], 4u16.to_be_bytes());
        assert_eq!(decode(&bytes).expect("a version 4 image decodes"), sample());
    }

    /// Any times read back exactly, also decreasing ones (clocks of
    /// different nodes) and the extremes; hops share their node's name.
    #[test]
    fn itinerary_times_and_names_read_back_exactly() {
        let times = [0, 1, 41, 1_800_000_000_000, u64::MAX, u64::MAX - 1, 7];
        let mut it = Itinerary::default();
        it.dropped = u64::MAX;
        for (k, &t) in times.iter().enumerate() {
            let node = ["alpha", "beta", "gamma"][k % 3];
            let left = (k % 2 == 0).then(|| times[(k + 3) % times.len()]);
            it.push(node, t, left);
        }
        let image = AgentImage { itinerary: it, ..sample() };
        let back = decode(&encode(&image)).unwrap();
        assert_eq!(back, image);
        assert_eq!(back.itinerary.names().len(), 3, "each name once");
    }

    #[test]
    fn an_itinerary_naming_a_missing_node_is_refused() {
        let image = sample();
        let mut bytes = encode(&image);
        // The last hop's byte: "beta" (index 1), no departure time, then
        // its one-byte arrival delta.
        let at = bytes.len() - 2;
        assert_eq!(bytes[at], 1);
        bytes[at] = 5;
        assert!(decode(&bytes).unwrap_err().0.contains("names node 5 of 2"));
    }

    #[test]
    fn roundtrip() {
        let image = sample();
        let back = decode(&encode(&image)).unwrap();
        back.credential.as_ref().unwrap().verify().unwrap();
        assert_eq!(back, image);
        let unsigned = AgentImage { credential: None, ..sample() };
        assert_eq!(decode(&encode(&unsigned)).unwrap(), unsigned);
    }

    #[test]
    fn a_version_2_image_is_read_as_unsigned() {
        let image = AgentImage { credential: None, itinerary: Itinerary::default(), ..sample() };
        let mut bytes = version_3_bytes(&image);
        assert_eq!(bytes.pop(), Some(0));
        bytes[4..6].copy_from_slice(&2u16.to_be_bytes());
        assert_eq!(decode(&bytes).unwrap(), image);
    }

    #[test]
    fn a_version_1_image_is_read_without_the_version_2_fields() {
        let image = AgentImage {
            moving_to: None,
            ordering: OrderingState::default(),
            resources: Vec::new(),
            carried: Vec::new(),
            credential: None,
            itinerary: Itinerary::default(),
            ..sample()
        };
        let mut bytes = version_3_bytes(&image);
        // Version 3's credential flag (0) at the end.
        assert_eq!(bytes.pop(), Some(0));
        // Version 1 is the same without: the two empty counts of bindings
        // and carried data at the end; the two empty ordering tables just
        // before the snapshot's length and bytes; the moving_to flag after
        // the console.
        bytes.truncate(bytes.len() - 8);
        let at = bytes.len() - image.snapshot.len() - 4 - 8;
        assert_eq!(bytes.drain(at..at + 8).collect::<Vec<u8>>(), [0; 8]);
        let at = 4 + 2 + 4 + 7 + 8 + (1 + 4 + 6) + 1 + 9 + (4 + 7);
        assert_eq!(bytes.remove(at), 0);
        bytes[4..6].copy_from_slice(&1u16.to_be_bytes());
        assert_eq!(decode(&bytes).unwrap(), image);
        // Read as version 2, those bytes are short.
        bytes[4..6].copy_from_slice(&2u16.to_be_bytes());
        assert!(decode(&bytes).is_err());
    }

    #[test]
    fn a_held_message_outside_its_stream_is_refused() {
        let mut image = sample();
        image.ordering.received[0].held[0].seq = Some(2);
        assert!(decode(&encode(&image)).unwrap_err().0.contains("does not belong"));
        let mut image = sample();
        image.ordering.received[0].held[0].from = AgentId::parse("9@beta");
        assert!(decode(&encode(&image)).is_err());
    }

    #[test]
    fn a_binding_outside_the_table_is_refused() {
        let mut image = sample();
        image.resources[0].action = itinerant_core::resources::Action::Rebind; // by value, unattached: not allowed
        assert!(decode(&encode(&image)).unwrap_err().0.contains("may not rebind"));
    }

    #[test]
    fn every_truncation_is_refused() {
        let bytes = encode(&sample());
        for n in 0..bytes.len() {
            assert!(decode(&bytes[..n]).is_err(), "prefix of {n} bytes accepted");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
    }

    #[test]
    fn wrong_magic_or_version_is_named() {
        let mut bytes = encode(&sample());
        bytes[5] = 9;
        assert!(decode(&bytes).unwrap_err().0.contains("version 9"));
        bytes[0] = b'X';
        assert!(decode(&bytes).unwrap_err().0.contains("not an agent image"));
    }

    proptest! {
        #[test]
        fn garbage_is_refused_not_panicked(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn flipped_bytes_never_panic(at in 0usize..200, v in any::<u8>()) {
            let mut bytes = encode(&sample());
            let i = at % bytes.len();
            bytes[i] = v;
            let _ = decode(&bytes);
        }
    }
}
