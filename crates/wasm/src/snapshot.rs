//! The byte format of a WebAssembly agent's state (its language tag is the
//! magic `ITWA`). Big-endian, fixed widths, no field of the machine's word
//! size:
//!
//! ```text
//! "ITWA" version:u16
//! module hash: 32 bytes (sha-256 of the instrumented module: its code segment)
//! flags:u8 (1 started, 2 unwound: the next run rewinds)
//! buffer:u32 buffer_used:u32 (the Asyncify buffer in linear memory)
//! instructions:u64
//! pending: u8 (0 none, 1 a host request) [command:str args:u32 str*]
//! answer: u8 (0 none, 1 ok, 2 error) [str]
//! result: u8 (0 none, 1 set) [str]
//! fields:u32 (key:str value:str)*
//! globals:u32 (index:u32 type:u8 bits:u64)*
//! memory pages:u32, chunks:u32 (index:u32 4096 bytes)*   (all-zero chunks left out)
//! sha-256 of all the bytes before: 32 bytes
//! ```
//!
//! A snapshot is untrusted input: the reader checks every length against
//! what is left and the limits, and the digest at the end against the
//! bytes, so a damaged or altered snapshot is refused.

use itinerant_tcl::HostRequest;

pub const MAGIC: &[u8; 4] = b"ITWA";
pub const VERSION: u16 = 1;
/// Memory is saved in chunks of this size; all-zero chunks are skipped.
pub const CHUNK: usize = 4096;
/// Longest string field (a request's argument, an answer, a result).
const MAX_STRING: usize = 64 << 20;

/// The state of a suspended program, as plain data.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    pub module_hash: [u8; 32],
    pub started: bool,
    pub unwound: bool,
    pub buffer: u32,
    pub buffer_used: u32,
    pub instructions: u64,
    pub pending: Option<HostRequest>,
    pub answer: Option<Result<String, String>>,
    pub result: Option<String>,
    pub fields: Vec<(String, String)>,
    /// Mutable globals: (index in the module, type code, bits).
    pub globals: Vec<(u32, u8, u64)>,
    pub pages: u32,
    /// Non-zero chunks of linear memory: (chunk index, bytes).
    pub chunks: Vec<(u32, Vec<u8>)>,
}

/// Global type codes.
pub const I32: u8 = 0;
pub const I64: u8 = 1;
pub const F32: u8 = 2;
pub const F64: u8 = 3;

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v)
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_be_bytes())
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes())
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// Writes `state`; `memory` is the linear memory (its chunks are taken from
/// it, not from `state.chunks`).
pub fn write(state: &State, memory: &[u8]) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(256 + memory.len() / 8));
    w.0.extend_from_slice(MAGIC);
    w.0.extend_from_slice(&VERSION.to_be_bytes());
    w.0.extend_from_slice(&state.module_hash);
    w.u8(u8::from(state.started) | (u8::from(state.unwound) << 1));
    w.u32(state.buffer);
    w.u32(state.buffer_used);
    w.u64(state.instructions);
    match &state.pending {
        None => w.u8(0),
        Some(r) => {
            w.u8(1);
            w.str(&r.command);
            w.u32(r.args.len() as u32);
            for a in &r.args {
                w.str(a);
            }
        }
    }
    match &state.answer {
        None => w.u8(0),
        Some(Ok(s)) => {
            w.u8(1);
            w.str(s)
        }
        Some(Err(s)) => {
            w.u8(2);
            w.str(s)
        }
    }
    match &state.result {
        None => w.u8(0),
        Some(s) => {
            w.u8(1);
            w.str(s)
        }
    }
    w.u32(state.fields.len() as u32);
    for (k, v) in &state.fields {
        w.str(k);
        w.str(v);
    }
    w.u32(state.globals.len() as u32);
    for (i, t, bits) in &state.globals {
        w.u32(*i);
        w.u8(*t);
        w.u64(*bits);
    }
    w.u32((memory.len() / 65536) as u32);
    let count_at = w.0.len();
    w.u32(0);
    let mut count = 0u32;
    for (i, chunk) in memory.chunks(CHUNK).enumerate() {
        if chunk.iter().any(|b| *b != 0) {
            w.u32(i as u32);
            w.0.extend_from_slice(chunk);
            count += 1;
        }
    }
    w.0[count_at..count_at + 4].copy_from_slice(&count.to_be_bytes());
    let digest = ring::digest::digest(&ring::digest::SHA256, &w.0);
    w.0.extend_from_slice(digest.as_ref());
    w.0
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len()).ok_or("snapshot truncated")?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().map_err(|_| "snapshot truncated")?))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().map_err(|_| "snapshot truncated")?))
    }
    fn str(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        if n > MAX_STRING {
            return Err(format!("snapshot string of {n} bytes"));
        }
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| "snapshot string is not UTF-8".into())
    }
    /// A count of items of at least `min_size` bytes each (bounded by what is left).
    fn count(&mut self, min_size: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.bytes.len() - self.at {
            return Err(format!("snapshot claims {n} items, more than its bytes hold"));
        }
        Ok(n)
    }
}

/// Reads a snapshot; `max_pages` bounds its memory (the quota).
pub fn read(bytes: &[u8], max_pages: u32) -> Result<State, String> {
    if bytes.len() < 4 + 2 + 32 + 32 || &bytes[..4] != MAGIC {
        return Err("not a WebAssembly agent snapshot".into());
    }
    let (body, digest) = bytes.split_at(bytes.len() - 32);
    if ring::digest::digest(&ring::digest::SHA256, body).as_ref() != digest {
        return Err("the snapshot's digest does not match its bytes (damaged or altered)".into());
    }
    let mut r = Reader { bytes: body, at: 4 };
    let version = u16::from_be_bytes([r.u8()?, r.u8()?]);
    if version != VERSION {
        return Err(format!("snapshot version {version}; this node reads {VERSION}"));
    }
    let mut s = State { module_hash: r.take(32)?.try_into().map_err(|_| "snapshot truncated")?, ..State::default() };
    let flags = r.u8()?;
    if flags > 3 {
        return Err(format!("bad snapshot flags {flags}"));
    }
    s.started = flags & 1 != 0;
    s.unwound = flags & 2 != 0;
    s.buffer = r.u32()?;
    s.buffer_used = r.u32()?;
    s.instructions = r.u64()?;
    s.pending = match r.u8()? {
        0 => None,
        1 => {
            let command = r.str()?;
            let n = r.count(4)?;
            let args = (0..n).map(|_| r.str()).collect::<Result<_, _>>()?;
            Some(HostRequest { command, args })
        }
        t => return Err(format!("bad pending tag {t}")),
    };
    s.answer = match r.u8()? {
        0 => None,
        1 => Some(Ok(r.str()?)),
        2 => Some(Err(r.str()?)),
        t => return Err(format!("bad answer tag {t}")),
    };
    s.result = match r.u8()? {
        0 => None,
        1 => Some(r.str()?),
        t => return Err(format!("bad result tag {t}")),
    };
    let n = r.count(8)?;
    s.fields = (0..n).map(|_| Ok((r.str()?, r.str()?))).collect::<Result<_, String>>()?;
    let n = r.count(13)?;
    for _ in 0..n {
        let (i, t, bits) = (r.u32()?, r.u8()?, r.u64()?);
        if t > F64 {
            return Err(format!("bad global type {t}"));
        }
        s.globals.push((i, t, bits));
    }
    s.pages = r.u32()?;
    if s.pages > max_pages {
        return Err(format!("snapshot of {} pages of memory; the quota allows {max_pages}", s.pages));
    }
    let n = r.count(4 + CHUNK)?;
    let chunks_max = s.pages as usize * (65536 / CHUNK);
    let mut last = None;
    for _ in 0..n {
        let i = r.u32()?;
        if i as usize >= chunks_max || last.is_some_and(|l| i <= l) {
            return Err(format!("bad memory chunk {i}"));
        }
        last = Some(i);
        s.chunks.push((i, r.take(CHUNK)?.to_vec()));
    }
    if r.at != body.len() {
        return Err("bytes after the end of the snapshot".into());
    }
    if s.buffer_used > 0 && (s.buffer as u64 + s.buffer_used as u64) > s.pages as u64 * 65536 {
        return Err("the Asyncify buffer lies outside memory".into());
    }
    Ok(s)
}

/// The module hash a snapshot names (without checking the rest).
pub fn module_hash_of(bytes: &[u8]) -> Option<String> {
    let h = bytes.get(6..38).filter(|_| bytes.starts_with(MAGIC))?;
    Some(h.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (State, Vec<u8>) {
        let mut memory = vec![0u8; 2 * 65536];
        memory[5] = 1;
        memory[70000] = 9;
        let state = State {
            module_hash: [7; 32],
            started: true,
            unwound: true,
            buffer: 65536,
            buffer_used: 100,
            instructions: 42,
            pending: Some(HostRequest { command: "agent_jump".into(), args: vec!["beta".into()] }),
            answer: Some(Err("no".into())),
            result: None,
            fields: vec![("root".into(), "1@a".into())],
            globals: vec![(0, I32, 1024), (3, F64, 2.5f64.to_bits())],
            pages: 2,
            chunks: Vec::new(),
        };
        (state, memory)
    }

    #[test]
    fn a_snapshot_reads_back_with_only_its_nonzero_chunks() {
        let (state, memory) = sample();
        let bytes = write(&state, &memory);
        let back = read(&bytes, 100).unwrap();
        assert_eq!(back.chunks.iter().map(|c| c.0).collect::<Vec<_>>(), [0, 17]);
        assert_eq!(State { chunks: Vec::new(), ..back }, state);
        assert!(bytes.len() < 2 * CHUNK + 300, "{} bytes", bytes.len());
        assert_eq!(module_hash_of(&bytes).unwrap(), "07".repeat(32));
    }

    #[test]
    fn damaged_or_altered_snapshots_are_refused() {
        let (state, memory) = sample();
        let bytes = write(&state, &memory);
        for at in [4, 10, 40, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[at] ^= 1;
            assert!(read(&bad, 100).is_err(), "flipped byte {at} accepted");
        }
        assert!(read(&bytes[..bytes.len() - 5], 100).is_err());
        assert!(read(&bytes, 1).unwrap_err().contains("quota"));
    }
}
