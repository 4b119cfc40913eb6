//! Snapshot and restore of the whole interpreter state.
//!
//! [`save`] turns an [`Interp`] stopped at an instruction boundary (idle,
//! out of budget, waiting on a host request, or with an error about to be
//! raised) into bytes; [`restore`] turns such bytes into a fresh `Interp`
//! that continues exactly where the first one stopped. The embedder's parts
//! (output sink, host command functions, the shared host command table)
//! are not in a snapshot: install them again on the restored interpreter
//! (`set_output`, `provide_host`, `set_host_commands`).
//!
//! The bytes are untrusted (they travel over the network): `restore` checks
//! every index, jump target, size and cross-reference, and refuses a bad
//! snapshot with a [`SnapshotError`]. It never panics, allocates in
//! proportion to the input only, and never recurses deeper than
//! [`MAX_VALUE_DEPTH`].
//!
//! The format is documented field by field in `docs/SNAPSHOT.md`. In short:
//! `"ITSN"`, a little-endian `u16` version, three sections (CODE: the
//! distinct bytecodes; DATA: limits, rng, command table with procs, variable
//! frames; EXEC: code frames, operand stack, pending request and pending
//! error), and a trailing checksum (XXH3-64; FNV-1a 64 up to version 2).
//! Integers are LEB128 varints
//! (zigzag for signed ones), strings are length-prefixed UTF-8.
//!
//! Encoding is canonical: any snapshot that `restore` accepts is exactly
//! what `save` writes for the restored interpreter.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;

use crate::bytecode::{
    Aux, ByteCode, CmdLoc, CodeKind, ExceptRange, Instr, RangeKind, SwitchMode, TryMatch, VarAddr, VarOp,
};
use crate::commands::{BuiltinDef, Command, CommandTable, HostCommands, Proc};
use crate::error::{Exception, ExceptionData};
use crate::interp::{CodeFrame, FrameKind, HostRequest, Interp, Limits};
use crate::ops::{BinOp, UnOp};
use crate::value::{DictKey, DictMap, Rep, Value};
use crate::vars::{ArrayMap, Frames, Link, Var, VarFrame};

/// The first four bytes of every snapshot.
pub const MAGIC: &[u8; 4] = b"ITSN";

/// The format version written by [`save`]; [`restore`] reads this one and
/// the earlier ones from [`OLDEST_READABLE_VERSION`] (version 2 only widened
/// the meaning of command kind 3, so version 1 snapshots read unchanged;
/// version 3 only changed the checksum, see [`checksum`]; version 4 only
/// stopped writing the shared host commands, see `write_data`).
pub const FORMAT_VERSION: u16 = 4;

/// The oldest format version [`restore`] reads.
pub const OLDEST_READABLE_VERSION: u16 = 1;

/// Lists and dicts nested deeper than this are written as their string
/// form; a snapshot nesting structured values deeper is refused.
pub const MAX_VALUE_DEPTH: usize = 100;

/// Largest number of elements reserved ahead of reading them; longer
/// sequences grow as their elements are actually read, so a huge length
/// prefix cannot make `restore` allocate before failing.
const PREALLOC_MAX: usize = 1024;

const SECTION_CODE: u8 = 1;
const SECTION_DATA: u8 = 2;
const SECTION_EXEC: u8 = 3;

// Value tags.
const V_INT: u8 = 0;
const V_DOUBLE: u8 = 1;
const V_STR: u8 = 2;
const V_LIST: u8 = 3;
const V_DICT: u8 = 4;

/// Why a snapshot could not be made or restored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// The bytes do not start with the magic `ITSN`.
    NotASnapshot,
    /// A format version this build cannot read.
    UnsupportedVersion(u16),
    /// The bytes end before the snapshot does.
    Truncated {
        /// Byte offset where more input was needed.
        offset: usize,
        /// What was being read.
        reading: &'static str,
    },
    /// The trailing checksum does not match the contents.
    ChecksumMismatch { stored: u64, computed: u64 },
    /// The bytes are not a well-formed encoding (bad tag, overlong varint,
    /// invalid UTF-8, length beyond the input...).
    Malformed { offset: usize, message: String },
    /// The encoding is well formed but describes an inconsistent state (a
    /// bad index, jump target, frame reference...).
    Invalid(String),
    /// `save`: the interpreter holds something a snapshot cannot carry.
    Unsupported(String),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::NotASnapshot => write!(f, "not a snapshot (bad magic)"),
            SnapshotError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "unsupported snapshot format version {v} (this build reads versions \
                     {OLDEST_READABLE_VERSION} to {FORMAT_VERSION})"
                )
            }
            SnapshotError::Truncated { offset, reading } => {
                write!(f, "snapshot truncated at byte {offset} (reading {reading})")
            }
            SnapshotError::ChecksumMismatch { stored, computed } => {
                write!(f, "snapshot checksum mismatch (stored {stored:016x}, computed {computed:016x})")
            }
            SnapshotError::Malformed { offset, message } => {
                write!(f, "malformed snapshot at byte {offset}: {message}")
            }
            SnapshotError::Invalid(m) => write!(f, "invalid snapshot: {m}"),
            SnapshotError::Unsupported(m) => write!(f, "cannot snapshot: {m}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

type Res<T> = Result<T, SnapshotError>;

fn invalid<T>(msg: impl Into<String>) -> Res<T> {
    Err(SnapshotError::Invalid(msg.into()))
}

/// The checksum that closes a snapshot of format `version`, over every
/// byte before it: XXH3-64 from version 3; FNV-1a 64 before, which goes a
/// byte at a time (about 1.3 ms for a megabyte, paid by `save` and again
/// by `restore` on every hop of a big agent).
pub fn checksum(version: u16, bytes: &[u8]) -> u64 {
    match version {
        ..=2 => fnv1a64(bytes),
        _ => xxhash_rust::xxh3::xxh3_64(bytes),
    }
}

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

// ===========================================================================
// Writing
// ===========================================================================

#[derive(Default)]
struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    fn u8(&mut self, b: u8) {
        self.buf.push(b);
    }

    fn varint(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(b);
                return;
            }
            self.buf.push(b | 0x80);
        }
    }

    fn u32(&mut self, v: u32) {
        self.varint(v as u64);
    }

    fn count(&mut self, n: usize) {
        self.varint(n as u64);
    }

    fn i64(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }

    fn i32(&mut self, v: i32) {
        self.i64(v as i64);
    }

    fn bool(&mut self, b: bool) {
        self.u8(b as u8);
    }

    fn fixed_u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.count(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }

    fn value(&mut self, v: &Value) {
        self.value_at(v, 0);
    }

    fn value_at(&mut self, v: &Value, depth: usize) {
        match v {
            Value::Int(i) => {
                self.u8(V_INT);
                self.i64(*i);
            }
            Value::Double(d) => {
                self.u8(V_DOUBLE);
                self.fixed_u64(d.to_bits());
            }
            Value::Obj(_) => match v.snapshot_parts() {
                Some((Some(s), _)) => {
                    self.u8(V_STR);
                    self.str(s);
                }
                Some((None, Rep::List(items))) if depth < MAX_VALUE_DEPTH => {
                    self.u8(V_LIST);
                    self.count(items.len());
                    for item in items.iter() {
                        self.value_at(item, depth + 1);
                    }
                }
                Some((None, Rep::Dict(map))) if depth < MAX_VALUE_DEPTH => {
                    self.u8(V_DICT);
                    self.count(map.len());
                    for (k, val) in map.iter() {
                        self.str(&k.as_str());
                        self.value_at(val, depth + 1);
                    }
                }
                _ => {
                    self.u8(V_STR);
                    self.str(&v.as_str());
                }
            },
        }
    }

    /// Appends a section: id, payload length, payload.
    fn section(&mut self, id: u8, payload: &Writer) {
        self.u8(id);
        self.count(payload.buf.len());
        self.buf.extend_from_slice(&payload.buf);
    }
}

/// The distinct bytecodes of a snapshot, numbered in order of first
/// reference.
#[derive(Default)]
struct CodeTable {
    list: Vec<Rc<ByteCode>>,
    index: HashMap<*const ByteCode, u32>,
}

impl CodeTable {
    fn index_of(&mut self, code: &Rc<ByteCode>) -> u32 {
        let key = Rc::as_ptr(code);
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(code.clone());
        self.index.insert(key, i);
        i
    }
}

/// Serialises the whole state of `interp`.
///
/// Fails only when the interpreter holds a built-in command that is not one
/// of the crate's own (`Interp::add_builtin` with a foreign definition),
/// which another process could not rebuild.
pub fn save(interp: &Interp) -> Result<Vec<u8>, SnapshotError> {
    let mut codes = CodeTable::default();
    // Sized for a small agent's sections, so that most saves never grow them.
    let mut data = Writer { buf: Vec::with_capacity(4096) };
    write_data(interp, &mut data, &mut codes)?;
    let mut exec = Writer { buf: Vec::with_capacity(256) };
    write_exec(interp, &mut exec, &mut codes);
    let mut code = Writer { buf: Vec::with_capacity(4096) };
    code.count(codes.list.len());
    for c in &codes.list {
        write_code(&mut code, c);
    }

    // Header, three section headers (id and length), the checksum.
    let sections = code.buf.len() + data.buf.len() + exec.buf.len();
    let mut out = Writer { buf: Vec::with_capacity(MAGIC.len() + 2 + 3 * 11 + sections + 8) };
    out.buf.extend_from_slice(MAGIC);
    out.buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.section(SECTION_CODE, &code);
    out.section(SECTION_DATA, &data);
    out.section(SECTION_EXEC, &exec);
    let sum = checksum(FORMAT_VERSION, &out.buf);
    out.fixed_u64(sum);
    Ok(out.buf)
}

fn builtin_is_standard(def: &'static BuiltinDef) -> bool {
    crate::cmds::builtins().any(|d| std::ptr::eq(d, def))
}

fn write_data(interp: &Interp, w: &mut Writer, codes: &mut CodeTable) -> Res<()> {
    let l = &interp.limits;
    w.varint(l.max_string_bytes as u64);
    w.varint(l.max_list_len as u64);
    w.varint(l.max_nesting as u64);
    w.varint(l.max_stack as u64);
    w.fixed_u64(interp.rng);
    w.str(&interp.script_name);
    w.i64(interp.error_line);
    w.varint(interp.commands.compile_epoch);

    // The interpreter's own changes to the built-in command set, sorted by
    // name so that the bytes do not depend on hash order. A deleted command
    // is written with tag 3. The shared host commands are the embedder's,
    // like the output sink: not written (version 3 wrote each of them).
    let cmds = interp.commands.own_changes_by_name();
    w.count(cmds.len());
    for (name, cmd) in cmds {
        w.str(name);
        let Some(cmd) = cmd else {
            w.u8(3);
            continue;
        };
        match cmd {
            Command::Builtin(def) => {
                if !builtin_is_standard(def) {
                    return Err(SnapshotError::Unsupported(format!(
                        "command \"{name}\" is a built-in (\"{}\") that is not part of this crate",
                        def.name
                    )));
                }
                w.u8(0);
                w.str(def.name);
            }
            Command::Proc(p) => {
                w.u8(1);
                write_proc(w, p, codes)?;
            }
            Command::Host(h) => {
                w.u8(2);
                w.str(h);
            }
        }
    }

    w.count(interp.vars.frames.len());
    for f in &interp.vars.frames {
        w.u32(f.level);
        w.u32(f.caller);
        match &f.code {
            Some(c) => w.varint(codes.index_of(c) as u64 + 1),
            None => w.u8(0),
        }
        w.count(f.objv.len());
        for v in &f.objv {
            w.value(v);
        }
        w.count(f.vars.len());
        for v in &f.vars {
            write_var(w, v);
        }
        let mut dynamic: Vec<(&Rc<str>, u32)> = f.dynamic.iter().map(|(n, &i)| (n, i)).collect();
        dynamic.sort_by_key(|&(_, i)| i);
        w.count(dynamic.len());
        for (name, index) in dynamic {
            w.u32(index);
            w.str(name);
        }
    }
    Ok(())
}

fn write_proc(w: &mut Writer, p: &Proc, codes: &mut CodeTable) -> Res<()> {
    w.str(&p.name);
    w.count(p.args.len());
    for (name, default) in &p.args {
        w.str(name);
        match default {
            Some(d) => {
                w.u8(1);
                w.value(d);
            }
            None => w.u8(0),
        }
    }
    w.value(&p.args_value);
    w.value(&p.body);
    let compiled = p
        .compiled
        .try_borrow()
        .map_err(|_| SnapshotError::Unsupported(format!("proc \"{}\" is being compiled", p.name)))?;
    match &*compiled {
        Some(c) => w.varint(codes.index_of(c) as u64 + 1),
        None => w.u8(0),
    }
    Ok(())
}

fn write_var(w: &mut Writer, v: &Var) {
    match v {
        Var::Undefined => w.u8(0),
        Var::Scalar(v) => {
            w.u8(1);
            w.value(v);
        }
        Var::Array(a) => {
            w.u8(2);
            w.count(a.len());
            for (k, v) in a.iter() {
                w.str(k);
                w.value(v);
            }
        }
        Var::Link(l) => {
            w.u8(3);
            w.u32(l.frame);
            w.u32(l.index);
            w.opt_str(l.elem.as_deref());
        }
    }
}

fn write_exec(interp: &Interp, w: &mut Writer, codes: &mut CodeTable) {
    w.count(interp.nesting);
    w.count(interp.frames.len());
    for f in &interp.frames {
        w.u32(codes.index_of(&f.code));
        w.u32(f.pc);
        w.u32(f.base);
        w.u32(f.var_frame);
        match &f.kind {
            FrameKind::Top { annotation } => {
                w.u8(0);
                w.opt_str(annotation.as_deref());
            }
            FrameKind::Proc { name } => {
                w.u8(1);
                w.str(name);
            }
            FrameKind::Lambda { lambda } => {
                w.u8(2);
                w.value(lambda);
            }
            FrameKind::Body { annotation } => {
                w.u8(3);
                w.opt_str(annotation.as_ref().map(|a| a.as_str()).as_deref());
            }
            FrameKind::Expr => w.u8(4),
            FrameKind::Synthetic => w.u8(5),
        }
        // An `lsort -command` in progress: its words and answers so far.
        match &f.sort {
            Some(s) => {
                w.u8(1);
                w.count(s.args.len());
                for a in &s.args {
                    w.value(a);
                }
                w.count(s.answers.len());
                for &a in &s.answers {
                    w.i32(a);
                }
                w.bool(s.pending);
            }
            None => w.u8(0),
        }
    }
    w.count(interp.stack.len());
    for v in &interp.stack {
        w.value(v);
    }
    match &interp.pending {
        Some(req) => {
            w.u8(1);
            w.str(&req.command);
            w.count(req.args.len());
            for a in &req.args {
                w.str(a);
            }
        }
        None => w.u8(0),
    }
    match &interp.raise_pending {
        Some(ex) => {
            w.u8(1);
            write_exception(w, &ex.0);
        }
        None => w.u8(0),
    }
}

fn write_exception(w: &mut Writer, e: &ExceptionData) {
    w.i32(e.code);
    w.value(&e.value);
    w.i32(e.level);
    w.i32(e.return_code);
    match &e.error_code {
        Some(v) => {
            w.u8(1);
            w.value(v);
        }
        None => w.u8(0),
    }
    w.str(&e.error_info);
    w.bool(e.info_started);
    w.i64(e.error_line);
    w.count(e.extra_options.len());
    for (k, v) in &e.extra_options {
        w.value(k);
        w.value(v);
    }
    w.bool(e.skip_log);
}

fn code_kind_tag(k: CodeKind) -> u8 {
    match k {
        CodeKind::Script => 0,
        CodeKind::ProcBody => 1,
        CodeKind::Expr => 2,
        CodeKind::Synthetic => 3,
    }
}

fn write_code(w: &mut Writer, c: &ByteCode) {
    w.u8(code_kind_tag(c.kind));
    w.u8(c.in_proc as u8);
    w.varint(c.compile_epoch);
    w.str(&c.source);
    w.count(c.locals.len());
    for l in &c.locals {
        w.str(l);
    }
    w.count(c.literals.len());
    for v in &c.literals {
        w.value(v);
    }
    w.count(c.aux.len());
    for a in c.aux.iter() {
        write_aux(w, a);
    }
    w.count(c.ranges.len());
    for r in c.ranges.iter() {
        w.u32(r.start);
        w.u32(r.end);
        w.u32(r.depth);
        match r.kind {
            RangeKind::Loop { break_to, continue_to } => {
                w.u8(0);
                w.u32(break_to);
                w.u32(continue_to);
            }
            RangeKind::Catch { handler } => {
                w.u8(1);
                w.u32(handler);
            }
        }
    }
    w.count(c.cmds.len());
    for l in c.cmds.iter() {
        w.u32(l.pc_start);
        w.u32(l.pc_end);
        w.u32(l.src_start);
        w.u32(l.src_end);
    }
    w.count(c.code.len());
    for i in c.code.iter() {
        write_instr(w, i);
    }
}

fn write_var_addr(w: &mut Writer, a: &VarAddr) {
    match *a {
        VarAddr::Slot(s) => {
            w.u8(0);
            w.u32(s);
        }
        VarAddr::Name(l) => {
            w.u8(1);
            w.u32(l);
        }
        VarAddr::Stack => w.u8(2),
    }
}

fn write_aux(w: &mut Writer, a: &Aux) {
    match a {
        Aux::Foreach { lists } => {
            w.u8(0);
            w.count(lists.len());
            for l in lists {
                w.count(l.len());
                for a in l {
                    write_var_addr(w, a);
                }
            }
        }
        Aux::Switch { patterns, mode, nocase, match_var, index_var } => {
            w.u8(1);
            w.u8(match mode {
                SwitchMode::Exact => 0,
                SwitchMode::Glob => 1,
                SwitchMode::Regexp => 2,
            });
            w.bool(*nocase);
            w.count(patterns.len());
            for &p in patterns {
                w.u32(p);
            }
            for v in [match_var, index_var] {
                match v {
                    Some(name) => {
                        w.u8(1);
                        w.str(name);
                    }
                    None => w.u8(0),
                }
            }
        }
        Aux::JumpTable(t) => {
            w.u8(2);
            w.count(t.len());
            for &x in t {
                w.u32(x);
            }
        }
        Aux::Try { handlers, no_match } => {
            w.u8(3);
            w.count(handlers.len());
            for (m, target) in handlers {
                match m {
                    TryMatch::Code(c) => {
                        w.u8(0);
                        w.i32(*c);
                    }
                    TryMatch::Trap(l) => {
                        w.u8(1);
                        w.u32(*l);
                    }
                }
                w.u32(*target);
            }
            w.u32(*no_match);
        }
    }
}

const BINOPS: [BinOp; 25] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::Div,
    BinOp::Mod,
    BinOp::Pow,
    BinOp::Lt,
    BinOp::Gt,
    BinOp::Le,
    BinOp::Ge,
    BinOp::Eq,
    BinOp::Ne,
    BinOp::StrEq,
    BinOp::StrNe,
    BinOp::StrLt,
    BinOp::StrGt,
    BinOp::StrLe,
    BinOp::StrGe,
    BinOp::In,
    BinOp::Ni,
    BinOp::BitAnd,
    BinOp::BitOr,
    BinOp::BitXor,
    BinOp::Shl,
    BinOp::Shr,
];

const UNOPS: [UnOp; 4] = [UnOp::Neg, UnOp::Plus, UnOp::Not, UnOp::BitNot];

fn binop_tag(op: BinOp) -> u8 {
    BINOPS.iter().position(|&o| o == op).unwrap_or(0) as u8
}

fn unop_tag(op: UnOp) -> u8 {
    UNOPS.iter().position(|&o| o == op).unwrap_or(0) as u8
}

// Opcodes.
mod op {
    pub const PUSH: u8 = 0;
    pub const POP: u8 = 1;
    pub const DUP: u8 = 2;
    pub const SWAP: u8 = 3;
    pub const OVER: u8 = 4;
    pub const NIP: u8 = 5;
    pub const CONCAT_WORDS: u8 = 6;
    pub const CONCAT: u8 = 7;
    pub const LIST: u8 = 8;
    pub const LIST_APPEND: u8 = 9;
    pub const LIST_CONCAT: u8 = 10;
    pub const LOAD_LOCAL: u8 = 11;
    pub const STORE_LOCAL: u8 = 12;
    pub const INCR_LOCAL: u8 = 13;
    pub const VAR: u8 = 14;
    pub const INVOKE: u8 = 15;
    pub const INVOKE_LIST: u8 = 16;
    pub const EVAL_BODY: u8 = 17;
    pub const UPLEVEL: u8 = 18;
    pub const EXPR_STK: u8 = 19;
    pub const BINARY: u8 = 20;
    pub const UNARY: u8 = 21;
    pub const MATH_FUNC: u8 = 22;
    pub const TO_NUMERIC: u8 = 23;
    pub const TO_BOOL: u8 = 24;
    pub const JUMP: u8 = 25;
    pub const JUMP_TRUE: u8 = 26;
    pub const JUMP_FALSE: u8 = 27;
    pub const FOREACH_START: u8 = 28;
    pub const FOREACH_STEP: u8 = 29;
    pub const FOREACH_END: u8 = 30;
    pub const LMAP_COLLECT: u8 = 31;
    pub const RETHROW: u8 = 32;
    pub const RETURN_STK: u8 = 33;
    pub const SWITCH_MATCH: u8 = 34;
    pub const JUMP_TABLE: u8 = 35;
    pub const TRY_DISPATCH: u8 = 36;
    pub const SUBST: u8 = 37;
    pub const COUNT_DOWN: u8 = 38;
    pub const TIME_START: u8 = 39;
    pub const TIME_END: u8 = 40;
    pub const SYNTAX_ERROR: u8 = 41;
    pub const DONE: u8 = 42;
    pub const RETHROW_DURING: u8 = 43;
    pub const RAISE_ARITH: u8 = 44;
    pub const DICT_PAIRS: u8 = 45;
    pub const LIST_TO_DICT: u8 = 46;
    pub const LMAP_COLLECT_PAIR: u8 = 47;
    pub const DICT_WITH_START: u8 = 48;
    pub const DICT_WITH_END: u8 = 49;
    pub const DICT_UPDATE_START: u8 = 50;
    pub const DICT_UPDATE_END: u8 = 51;
    pub const SORT_STEP: u8 = 52;
    pub const SORT_ANSWER: u8 = 53;
}

// The descriptor byte of `Instr::Var`: bits 0-3 the operation, bits 4-5
// the addressing, bit 6 `elem`; bit 7 is zero.
fn var_op_tag(o: VarOp) -> u8 {
    match o {
        VarOp::Load => 0,
        VarOp::Store => 1,
        VarOp::Incr => 2,
        VarOp::IncrImm(_) => 3,
        VarOp::Append => 4,
        VarOp::Lappend(_) => 5,
        VarOp::Unset(false) => 6,
        VarOp::Unset(true) => 7,
        VarOp::Exists => 8,
    }
}

fn write_instr(w: &mut Writer, i: &Instr) {
    use Instr::*;
    match *i {
        Push(l) => {
            w.u8(op::PUSH);
            w.u32(l);
        }
        Pop => w.u8(op::POP),
        Dup => w.u8(op::DUP),
        Swap => w.u8(op::SWAP),
        Over(n) => {
            w.u8(op::OVER);
            w.u32(n);
        }
        Nip(n) => {
            w.u8(op::NIP);
            w.u32(n);
        }
        ConcatWords(n) => {
            w.u8(op::CONCAT_WORDS);
            w.u32(n);
        }
        Concat(n) => {
            w.u8(op::CONCAT);
            w.u32(n);
        }
        List(n) => {
            w.u8(op::LIST);
            w.u32(n);
        }
        ListAppend => w.u8(op::LIST_APPEND),
        ListConcat => w.u8(op::LIST_CONCAT),
        LoadLocal(s) => {
            w.u8(op::LOAD_LOCAL);
            w.u32(s);
        }
        StoreLocal(s) => {
            w.u8(op::STORE_LOCAL);
            w.u32(s);
        }
        IncrLocal(s, n) => {
            w.u8(op::INCR_LOCAL);
            w.u32(s);
            w.i32(n);
        }
        Var { op: vop, addr, elem } => {
            w.u8(op::VAR);
            let addr_tag = match addr {
                VarAddr::Slot(_) => 0,
                VarAddr::Name(_) => 1,
                VarAddr::Stack => 2,
            };
            w.u8(var_op_tag(vop) | (addr_tag << 4) | ((elem as u8) << 6));
            match vop {
                VarOp::IncrImm(n) => w.i32(n),
                VarOp::Lappend(n) => w.u32(n),
                _ => {}
            }
            match addr {
                VarAddr::Slot(x) | VarAddr::Name(x) => w.u32(x),
                VarAddr::Stack => {}
            }
        }
        Invoke(n) => {
            w.u8(op::INVOKE);
            w.u32(n);
        }
        InvokeList => w.u8(op::INVOKE_LIST),
        EvalBody(l) => {
            w.u8(op::EVAL_BODY);
            w.u32(l);
        }
        Uplevel(n) => {
            w.u8(op::UPLEVEL);
            w.u32(n);
        }
        ExprStk => w.u8(op::EXPR_STK),
        Binary(o) => {
            w.u8(op::BINARY);
            w.u8(binop_tag(o));
        }
        Unary(o) => {
            w.u8(op::UNARY);
            w.u8(unop_tag(o));
        }
        MathFunc(l, n) => {
            w.u8(op::MATH_FUNC);
            w.u32(l);
            w.u32(n);
        }
        ToNumeric => w.u8(op::TO_NUMERIC),
        ToBool => w.u8(op::TO_BOOL),
        Jump(t) => {
            w.u8(op::JUMP);
            w.u32(t);
        }
        JumpTrue(t) => {
            w.u8(op::JUMP_TRUE);
            w.u32(t);
        }
        JumpFalse(t) => {
            w.u8(op::JUMP_FALSE);
            w.u32(t);
        }
        ForeachStart(a) => {
            w.u8(op::FOREACH_START);
            w.u32(a);
        }
        ForeachStep(a, t) => {
            w.u8(op::FOREACH_STEP);
            w.u32(a);
            w.u32(t);
        }
        ForeachEnd(a) => {
            w.u8(op::FOREACH_END);
            w.u32(a);
        }
        LmapCollect(a) => {
            w.u8(op::LMAP_COLLECT);
            w.u32(a);
        }
        Rethrow => w.u8(op::RETHROW),
        ReturnStk => w.u8(op::RETURN_STK),
        SwitchMatch(a) => {
            w.u8(op::SWITCH_MATCH);
            w.u32(a);
        }
        JumpTable(a) => {
            w.u8(op::JUMP_TABLE);
            w.u32(a);
        }
        TryDispatch(a) => {
            w.u8(op::TRY_DISPATCH);
            w.u32(a);
        }
        Subst(f) => {
            w.u8(op::SUBST);
            w.u32(f);
        }
        CountDown(t) => {
            w.u8(op::COUNT_DOWN);
            w.u32(t);
        }
        TimeStart => w.u8(op::TIME_START),
        TimeEnd => w.u8(op::TIME_END),
        SyntaxError(l) => {
            w.u8(op::SYNTAX_ERROR);
            w.u32(l);
        }
        Done => w.u8(op::DONE),
        RethrowDuring => w.u8(op::RETHROW_DURING),
        RaiseArith(m, c) => {
            w.u8(op::RAISE_ARITH);
            w.u32(m);
            w.u32(c);
        }
        DictPairs => w.u8(op::DICT_PAIRS),
        ListToDict => w.u8(op::LIST_TO_DICT),
        LmapCollectPair(a) => {
            w.u8(op::LMAP_COLLECT_PAIR);
            w.u32(a);
        }
        DictWithStart(n) => {
            w.u8(op::DICT_WITH_START);
            w.u32(n);
        }
        DictWithEnd => w.u8(op::DICT_WITH_END),
        DictUpdateStart(n) => {
            w.u8(op::DICT_UPDATE_START);
            w.u32(n);
        }
        DictUpdateEnd => w.u8(op::DICT_UPDATE_END),
        SortStep(t) => {
            w.u8(op::SORT_STEP);
            w.u32(t);
        }
        SortAnswer => w.u8(op::SORT_ANSWER),
    }
}

mod code_cache;
mod read;
pub use read::{restore, restore_with_hosts};
mod verify;
use verify::check_state;
pub use verify::verify;

#[cfg(test)]
mod golden;
#[cfg(test)]
mod tests;
