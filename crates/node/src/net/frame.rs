//! Length-delimited frames on the node-to-node stream.
//!
//! A frame is a header of 8 bytes, then the payload:
//!
//! ```text
//! magic  u16 big-endian  0x4954 ("IT")
//! lane   u8              0 data, 1 urgent/control
//! kind   u8              message kind (meaning defined by the protocol layer)
//! length u32 big-endian  payload bytes, at most the decoder's limit
//! ```
//!
//! [`FrameDecoder`] is a plain state machine: feed it bytes as they arrive
//! (in any chunking) and take complete frames out. It never allocates more
//! than one frame's limit and reports the first problem as a
//! [`FrameError`]; after an error the stream is unusable and the connection
//! should be closed. Sockets stay outside.

use std::fmt;

/// The first two bytes of every frame.
pub const MAGIC: u16 = 0x4954;
/// Header size in bytes.
pub const HEADER_LEN: usize = 8;
/// Default largest payload (16 MiB).
pub const DEFAULT_MAX_PAYLOAD: usize = 16 << 20;

/// Which lane a frame travels on: bulk data, or urgent control messages
/// that must not wait behind it (cancel, ping).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    Data,
    Urgent,
}

/// One frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub lane: Lane,
    pub kind: u8,
    pub payload: Vec<u8>,
}

/// Why a stream was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The header does not start with the magic: not an Itinerant peer, or
    /// a corrupt stream. `offset` counts bytes since the stream began.
    BadMagic {
        offset: u64,
        found: u16,
    },
    BadLane {
        offset: u64,
        lane: u8,
    },
    /// The header announces more than the limit.
    TooLarge {
        offset: u64,
        length: u64,
        limit: usize,
    },
    /// The stream ended inside a frame.
    Truncated {
        offset: u64,
        missing: usize,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::BadMagic { offset, found } => {
                write!(f, "not a frame at byte {offset}: magic {found:#06x}, expected {MAGIC:#06x}")
            }
            FrameError::BadLane { offset, lane } => write!(f, "bad lane {lane} in the frame at byte {offset}"),
            FrameError::TooLarge { offset, length, limit } => {
                write!(f, "frame at byte {offset} announces {length} bytes, over the limit of {limit}")
            }
            FrameError::Truncated { offset, missing } => {
                write!(f, "stream ended inside the frame at byte {offset} ({missing} bytes missing)")
            }
        }
    }
}

impl std::error::Error for FrameError {}

impl Frame {
    /// The frame's bytes on the wire. Payloads over `u32::MAX` are not
    /// representable; callers keep payloads under their limit.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.payload.len());
        out.extend_from_slice(&MAGIC.to_be_bytes());
        out.push(match self.lane {
            Lane::Data => 0,
            Lane::Urgent => 1,
        });
        out.push(self.kind);
        out.extend_from_slice(&(self.payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.payload);
        out
    }
}

/// Incremental decoder of a frame stream.
#[derive(Debug)]
pub struct FrameDecoder {
    max_payload: usize,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    offset: u64,
    failed: Option<FrameError>,
}

impl FrameDecoder {
    pub fn new(max_payload: usize) -> FrameDecoder {
        FrameDecoder { max_payload, buf: Vec::new(), offset: 0, failed: None }
    }

    /// Adds received bytes and returns every frame now complete, or the
    /// first error (which then sticks: the stream cannot be resynchronised).
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Frame>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.buf.extend_from_slice(bytes);
        let mut frames = Vec::new();
        let mut at = 0;
        loop {
            let rest = &self.buf[at..];
            if rest.len() < HEADER_LEN {
                break;
            }
            let frame_offset = self.offset + at as u64;
            let magic = u16::from_be_bytes([rest[0], rest[1]]);
            if magic != MAGIC {
                return Err(self.fail(FrameError::BadMagic { offset: frame_offset, found: magic }));
            }
            let lane = match rest[2] {
                0 => Lane::Data,
                1 => Lane::Urgent,
                l => return Err(self.fail(FrameError::BadLane { offset: frame_offset, lane: l })),
            };
            let length = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
            if length > self.max_payload {
                return Err(self.fail(FrameError::TooLarge {
                    offset: frame_offset,
                    length: length as u64,
                    limit: self.max_payload,
                }));
            }
            if rest.len() < HEADER_LEN + length {
                break;
            }
            frames.push(Frame { lane, kind: rest[3], payload: rest[HEADER_LEN..HEADER_LEN + length].to_vec() });
            at += HEADER_LEN + length;
        }
        self.buf.drain(..at);
        self.offset += at as u64;
        Ok(frames)
    }

    /// The peer closed the stream: an error if it stopped inside a frame.
    pub fn finish(&mut self) -> Result<(), FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        let needed = if self.buf.len() < HEADER_LEN {
            HEADER_LEN
        } else {
            HEADER_LEN + u32::from_be_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]) as usize
        };
        Err(self.fail(FrameError::Truncated { offset: self.offset, missing: needed - self.buf.len() }))
    }

    /// Bytes received but not yet part of a complete frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    fn fail(&mut self, e: FrameError) -> FrameError {
        self.buf = Vec::new();
        self.failed = Some(e.clone());
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(kind: u8, payload: &[u8]) -> Frame {
        Frame { lane: Lane::Data, kind, payload: payload.to_vec() }
    }

    #[test]
    fn decodes_across_chunks() {
        let mut bytes = frame(1, b"hello").encode();
        bytes.extend(Frame { lane: Lane::Urgent, kind: 9, payload: vec![] }.encode());
        let mut d = FrameDecoder::new(1024);
        let mut got = Vec::new();
        for b in &bytes {
            got.extend(d.push(std::slice::from_ref(b)).unwrap());
        }
        assert_eq!(got, vec![frame(1, b"hello"), Frame { lane: Lane::Urgent, kind: 9, payload: vec![] }]);
        assert_eq!(d.finish(), Ok(()));
    }

    #[test]
    fn refuses_garbage_oversize_and_truncation() {
        let mut d = FrameDecoder::new(1024);
        let e = d.push(b"GET / HTTP/1.1\r\n").unwrap_err();
        assert_eq!(e, FrameError::BadMagic { offset: 0, found: 0x4745 });
        assert!(d.push(&frame(1, b"x").encode()).is_err(), "errors stick");

        let mut d = FrameDecoder::new(4);
        let e = d.push(&frame(1, b"too long").encode()).unwrap_err();
        assert_eq!(e, FrameError::TooLarge { offset: 0, length: 8, limit: 4 });

        let mut d = FrameDecoder::new(1024);
        let bytes = frame(2, b"abcdef").encode();
        assert!(d.push(&bytes[..10]).unwrap().is_empty());
        assert_eq!(d.finish(), Err(FrameError::Truncated { offset: 0, missing: 4 }));

        let mut d = FrameDecoder::new(1024);
        let mut bad = frame(2, b"").encode();
        bad[2] = 7;
        assert_eq!(d.push(&bad), Err(FrameError::BadLane { offset: 0, lane: 7 }));
    }

    proptest! {
        /// Any frames, cut into any chunks, decode to the same frames.
        #[test]
        fn roundtrip_any_chunking(
            frames in proptest::collection::vec((any::<bool>(), any::<u8>(), proptest::collection::vec(any::<u8>(), 0..300)), 0..20),
            cuts in proptest::collection::vec(1usize..64, 1..40),
        ) {
            let frames: Vec<Frame> = frames
                .into_iter()
                .map(|(urgent, kind, payload)| Frame { lane: if urgent { Lane::Urgent } else { Lane::Data }, kind, payload })
                .collect();
            let bytes: Vec<u8> = frames.iter().flat_map(|f| f.encode()).collect();
            let mut d = FrameDecoder::new(1024);
            let mut got = Vec::new();
            let mut at = 0;
            let mut i = 0;
            while at < bytes.len() {
                let n = cuts[i % cuts.len()].min(bytes.len() - at);
                got.extend(d.push(&bytes[at..at + n]).unwrap());
                at += n;
                i += 1;
            }
            prop_assert_eq!(d.finish(), Ok(()));
            prop_assert_eq!(got, frames);
        }

        /// Arbitrary bytes never panic, and buffered data stays bounded.
        #[test]
        fn garbage_never_panics(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..100), 0..20)) {
            let mut d = FrameDecoder::new(256);
            for c in &chunks {
                if d.push(c).is_err() {
                    break;
                }
                prop_assert!(d.buffered() <= HEADER_LEN + 256 + 100);
            }
            let _ = d.finish();
        }
    }
}

#[cfg(test)]
mod golden {
    use super::*;

    /// The header's byte order, pinned (`docs/HETEROGENEOUS.md`): magic
    /// and length big-endian, whatever the machine.
    #[test]
    fn a_frame_has_golden_bytes() {
        let f = Frame { lane: Lane::Urgent, kind: 7, payload: b"ab".to_vec() };
        assert_eq!(f.encode(), [0x49, 0x54, 1, 7, 0, 0, 0, 2, b'a', b'b']);
        let big = Frame { lane: Lane::Data, kind: 3, payload: vec![0; 0x0001_0203] };
        assert_eq!(big.encode()[..8], [0x49, 0x54, 0, 3, 0x00, 0x01, 0x02, 0x03]);
        let mut d = FrameDecoder::new(DEFAULT_MAX_PAYLOAD);
        assert_eq!(d.push(&[0x49, 0x54, 1, 7, 0, 0, 0, 2, b'a', b'b']).unwrap(), vec![f]);
    }
}
