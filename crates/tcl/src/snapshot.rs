//! Snapshot and restore of the whole interpreter state.
//!
//! [`save`] turns an [`Interp`] stopped at an instruction boundary (idle,
//! out of budget, waiting on a host request, or with an error about to be
//! raised) into bytes; [`restore`] turns such bytes into a fresh `Interp`
//! that continues exactly where the first one stopped. The embedder's parts
//! (output sink, host command functions) are not in a snapshot: install them
//! again on the restored interpreter (`set_output`, `provide_host`).
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
//! error), and a trailing FNV-1a 64 checksum. Integers are LEB128 varints
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
use crate::commands::{BuiltinDef, Command, CommandTable, Proc};
use crate::error::{Exception, ExceptionData};
use crate::interp::{CodeFrame, FrameKind, HostRequest, Interp, Limits};
use crate::ops::{BinOp, UnOp};
use crate::value::{DictKey, DictMap, Rep, Value};
use crate::vars::{ArrayMap, Frames, Link, Var, VarFrame};

/// The first four bytes of every snapshot.
pub const MAGIC: &[u8; 4] = b"ITSN";

/// The format version written by [`save`]; [`restore`] reads only this one.
pub const FORMAT_VERSION: u16 = 1;

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
                write!(f, "unsupported snapshot format version {v} (this build reads version {FORMAT_VERSION})")
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
    let mut data = Writer::default();
    write_data(interp, &mut data, &mut codes)?;
    let mut exec = Writer::default();
    write_exec(interp, &mut exec, &mut codes);
    let mut code = Writer::default();
    code.count(codes.list.len());
    for c in &codes.list {
        write_code(&mut code, c);
    }

    let mut out = Writer::default();
    out.buf.extend_from_slice(MAGIC);
    out.buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.section(SECTION_CODE, &code);
    out.section(SECTION_DATA, &data);
    out.section(SECTION_EXEC, &exec);
    let sum = fnv1a64(&out.buf);
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

    // The interpreter's changes to the built-in command set, sorted by name
    // so that the bytes do not depend on hash order. A deleted built-in is
    // written with tag 3.
    let mut cmds: Vec<(&Rc<str>, &Option<Command>)> = interp.commands.changes().collect();
    cmds.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
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
                w.opt_str(annotation.as_deref());
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
    for a in &c.aux {
        write_aux(w, a);
    }
    w.count(c.ranges.len());
    for r in &c.ranges {
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
    for l in &c.cmds {
        w.u32(l.pc_start);
        w.u32(l.pc_end);
        w.u32(l.src_start);
        w.u32(l.src_end);
    }
    w.count(c.code.len());
    for i in &c.code {
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

// ===========================================================================
// Reading
// ===========================================================================

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Offset of `buf[0]` in the whole snapshot (for messages).
    base: usize,
}

impl<'a> Reader<'a> {
    fn offset(&self) -> usize {
        self.base + self.pos
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    fn malformed<T>(&self, at: usize, message: impl Into<String>) -> Res<T> {
        Err(SnapshotError::Malformed { offset: at, message: message.into() })
    }

    fn bytes(&mut self, n: usize, reading: &'static str) -> Res<&'a [u8]> {
        if n > self.remaining() {
            return Err(SnapshotError::Truncated { offset: self.offset(), reading });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self, reading: &'static str) -> Res<u8> {
        Ok(self.bytes(1, reading)?[0])
    }

    /// An unsigned LEB128 varint, at most 10 bytes, in its shortest form.
    fn varint(&mut self, reading: &'static str) -> Res<u64> {
        let start = self.offset();
        let mut result: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.u8(reading)?;
            if shift == 63 && b > 1 {
                return self.malformed(start, format!("varint overflow in {reading}"));
            }
            result |= ((b & 0x7f) as u64) << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return self.malformed(start, format!("overlong varint in {reading}"));
                }
                return Ok(result);
            }
            shift += 7;
        }
    }

    fn u32(&mut self, reading: &'static str) -> Res<u32> {
        let at = self.offset();
        let v = self.varint(reading)?;
        u32::try_from(v).or_else(|_| self.malformed(at, format!("{reading} {v} exceeds 32 bits")))
    }

    fn usize(&mut self, reading: &'static str) -> Res<usize> {
        let at = self.offset();
        let v = self.varint(reading)?;
        usize::try_from(v).or_else(|_| self.malformed(at, format!("{reading} {v} too large")))
    }

    /// A number of elements that follow; each takes at least one byte, so a
    /// count beyond the remaining input is refused before any allocation.
    fn count(&mut self, reading: &'static str) -> Res<usize> {
        let at = self.offset();
        let v = self.varint(reading)?;
        if v > self.remaining() as u64 {
            return self
                .malformed(at, format!("{reading} {v} exceeds the {} bytes left in its section", self.remaining()));
        }
        Ok(v as usize)
    }

    fn i64(&mut self, reading: &'static str) -> Res<i64> {
        let v = self.varint(reading)?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    fn i32(&mut self, reading: &'static str) -> Res<i32> {
        let at = self.offset();
        let v = self.i64(reading)?;
        i32::try_from(v).or_else(|_| self.malformed(at, format!("{reading} {v} exceeds 32 bits")))
    }

    fn bool(&mut self, reading: &'static str) -> Res<bool> {
        let at = self.offset();
        match self.u8(reading)? {
            0 => Ok(false),
            1 => Ok(true),
            b => self.malformed(at, format!("{reading}: flag byte {b} is not 0 or 1")),
        }
    }

    fn fixed_u64(&mut self, reading: &'static str) -> Res<u64> {
        let b = self.bytes(8, reading)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn str(&mut self, reading: &'static str) -> Res<&'a str> {
        let n = self.count(reading)?;
        let at = self.offset();
        let b = self.bytes(n, reading)?;
        std::str::from_utf8(b)
            .or_else(|e| self.malformed(at + e.valid_up_to(), format!("{reading} is not valid UTF-8")))
    }

    fn opt_str(&mut self, reading: &'static str) -> Res<Option<&'a str>> {
        if self.bool(reading)? {
            Ok(Some(self.str(reading)?))
        } else {
            Ok(None)
        }
    }

    fn value(&mut self, reading: &'static str) -> Res<Value> {
        self.value_at(reading, 0)
    }

    fn value_at(&mut self, reading: &'static str, depth: usize) -> Res<Value> {
        let at = self.offset();
        match self.u8(reading)? {
            V_INT => Ok(Value::Int(self.i64(reading)?)),
            V_DOUBLE => Ok(Value::Double(f64::from_bits(self.fixed_u64(reading)?))),
            V_STR => Ok(Value::from(self.str(reading)?)),
            V_LIST => {
                if depth >= MAX_VALUE_DEPTH {
                    return self.malformed(at, format!("{reading}: lists nested deeper than {MAX_VALUE_DEPTH}"));
                }
                let n = self.count("list length")?;
                let mut items = Vec::with_capacity(n.min(PREALLOC_MAX));
                for _ in 0..n {
                    items.push(self.value_at(reading, depth + 1)?);
                }
                Ok(Value::list(items))
            }
            V_DICT => {
                if depth >= MAX_VALUE_DEPTH {
                    return self.malformed(at, format!("{reading}: dicts nested deeper than {MAX_VALUE_DEPTH}"));
                }
                let n = self.count("dict size")?;
                let mut map = DictMap::with_capacity_and_hasher(n.min(PREALLOC_MAX), Default::default());
                for _ in 0..n {
                    let key_at = self.offset();
                    let k = self.str("dict key")?;
                    let v = self.value_at(reading, depth + 1)?;
                    if map.insert(DictKey::new(Value::from(k)), v).is_some() {
                        return self.malformed(key_at, format!("duplicate dict key \"{k}\""));
                    }
                }
                Ok(Value::dict(map))
            }
            t => self.malformed(at, format!("{reading}: unknown value tag {t}")),
        }
    }

    /// The payload of the next section, which must be `id`.
    fn section(&mut self, id: u8, name: &'static str) -> Res<Reader<'a>> {
        let at = self.offset();
        let got = self.u8(name)?;
        if got != id {
            return self.malformed(at, format!("expected section {id} ({name}), found {got}"));
        }
        let n = self.count(name)?;
        let base = self.offset();
        let buf = self.bytes(n, name)?;
        Ok(Reader { buf, pos: 0, base })
    }

    fn expect_end(&self, name: &'static str) -> Res<()> {
        if self.at_end() {
            Ok(())
        } else {
            self.malformed(self.offset(), format!("{} unexpected bytes at the end of the {name}", self.remaining()))
        }
    }
}

/// Checks that table entries are first referenced in order (0, 1, 2...),
/// which makes the encoding canonical, and that each is referenced.
struct RefOrder {
    len: usize,
    next: usize,
    what: &'static str,
}

impl RefOrder {
    fn take(&mut self, index: u64, context: &dyn Fn() -> String) -> Res<usize> {
        if index < self.next as u64 {
            return Ok(index as usize);
        }
        if index == self.next as u64 && self.next < self.len {
            self.next += 1;
            return Ok(index as usize);
        }
        if index >= self.len as u64 {
            invalid(format!("{}: {} {index} out of range ({} {}s)", context(), self.what, self.len, self.what))
        } else {
            invalid(format!(
                "{}: {} {index} referenced before {} {} (non-canonical order)",
                context(),
                self.what,
                self.what,
                self.next
            ))
        }
    }

    fn finish(&self) -> Res<()> {
        if self.next != self.len {
            return invalid(format!("{} {} is never referenced", self.what, self.next));
        }
        Ok(())
    }
}

/// Rebuilds an interpreter from a snapshot made by [`save`], checking
/// everything. The result has no output sink (stdout) and no host command
/// functions: install them with `set_output` and `provide_host`.
///
/// The restored `limits` are those of the snapshot; an embedder that does
/// not trust the sender should set its own after restoring.
pub fn restore(bytes: &[u8]) -> Result<Interp, SnapshotError> {
    if bytes.len() < MAGIC.len() {
        if MAGIC.starts_with(bytes) {
            return Err(SnapshotError::Truncated { offset: bytes.len(), reading: "magic" });
        }
        return Err(SnapshotError::NotASnapshot);
    }
    if &bytes[..4] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    if bytes.len() < 6 {
        return Err(SnapshotError::Truncated { offset: bytes.len(), reading: "format version" });
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version != FORMAT_VERSION {
        return Err(SnapshotError::UnsupportedVersion(version));
    }
    if bytes.len() < 6 + 8 {
        return Err(SnapshotError::Truncated { offset: bytes.len(), reading: "checksum" });
    }
    let body_end = bytes.len() - 8;
    let mut sum = [0u8; 8];
    sum.copy_from_slice(&bytes[body_end..]);
    let stored = u64::from_le_bytes(sum);
    let computed = fnv1a64(&bytes[..body_end]);
    if stored != computed {
        return Err(SnapshotError::ChecksumMismatch { stored, computed });
    }
    let mut r = Reader { buf: &bytes[6..body_end], pos: 0, base: 6 };

    let mut code_r = r.section(SECTION_CODE, "code section")?;
    let codes = read_codes(&mut code_r)?;
    code_r.expect_end("code section")?;
    let mut order = RefOrder { len: codes.len(), next: 0, what: "code" };

    let mut interp = Interp::new();
    let mut data_r = r.section(SECTION_DATA, "data section")?;
    read_data(&mut data_r, &codes, &mut order, &mut interp)?;
    data_r.expect_end("data section")?;

    let mut exec_r = r.section(SECTION_EXEC, "exec section")?;
    read_exec(&mut exec_r, &codes, &mut order, &mut interp)?;
    exec_r.expect_end("exec section")?;
    r.expect_end("snapshot")?;
    order.finish()?;

    check_state(&interp)?;
    Ok(interp)
}

fn read_codes(r: &mut Reader) -> Res<Vec<Rc<ByteCode>>> {
    let n = r.count("code count")?;
    let mut codes = Vec::with_capacity(n.min(PREALLOC_MAX));
    for i in 0..n {
        let code = read_code(r)?;
        verify(&code).map_err(|e| match e {
            SnapshotError::Invalid(m) => SnapshotError::Invalid(format!("code {i}: {m}")),
            other => other,
        })?;
        codes.push(Rc::new(code));
    }
    Ok(codes)
}

fn read_code(r: &mut Reader) -> Res<ByteCode> {
    let at = r.offset();
    let kind = match r.u8("code kind")? {
        0 => CodeKind::Script,
        1 => CodeKind::ProcBody,
        2 => CodeKind::Expr,
        3 => CodeKind::Synthetic,
        k => return r.malformed(at, format!("unknown code kind {k}")),
    };
    let in_proc = r.bool("code flags")?;
    let compile_epoch = r.varint("compile epoch")?;
    let source: Rc<str> = Rc::from(r.str("code source")?);
    let n = r.count("local count")?;
    let mut locals = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        locals.push(Rc::from(r.str("local name")?));
    }
    let n = r.count("literal count")?;
    let mut literals = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        literals.push(r.value("literal")?);
    }
    let n = r.count("aux count")?;
    let mut aux = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        aux.push(read_aux(r)?);
    }
    let n = r.count("range count")?;
    let mut ranges = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        let start = r.u32("range start")?;
        let end = r.u32("range end")?;
        let depth = r.u32("range depth")?;
        let at = r.offset();
        let kind = match r.u8("range kind")? {
            0 => RangeKind::Loop { break_to: r.u32("break target")?, continue_to: r.u32("continue target")? },
            1 => RangeKind::Catch { handler: r.u32("handler target")? },
            k => return r.malformed(at, format!("unknown range kind {k}")),
        };
        ranges.push(ExceptRange { start, end, depth, kind });
    }
    let n = r.count("command location count")?;
    let mut cmds = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        cmds.push(CmdLoc {
            pc_start: r.u32("command pc start")?,
            pc_end: r.u32("command pc end")?,
            src_start: r.u32("command source start")?,
            src_end: r.u32("command source end")?,
        });
    }
    let n = r.count("instruction count")?;
    let mut code = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        code.push(read_instr(r)?);
    }
    Ok(ByteCode { kind, code, literals, aux, ranges, cmds, locals, source, compile_epoch, in_proc })
}

fn read_var_addr(r: &mut Reader) -> Res<VarAddr> {
    let at = r.offset();
    match r.u8("variable address")? {
        0 => Ok(VarAddr::Slot(r.u32("slot")?)),
        1 => Ok(VarAddr::Name(r.u32("name literal")?)),
        2 => Ok(VarAddr::Stack),
        t => r.malformed(at, format!("unknown variable address kind {t}")),
    }
}

fn read_aux(r: &mut Reader) -> Res<Aux> {
    let at = r.offset();
    match r.u8("aux kind")? {
        0 => {
            let n = r.count("foreach list count")?;
            let mut lists = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                let m = r.count("foreach variable count")?;
                let mut vars = Vec::with_capacity(m.min(PREALLOC_MAX));
                for _ in 0..m {
                    vars.push(read_var_addr(r)?);
                }
                lists.push(vars);
            }
            Ok(Aux::Foreach { lists })
        }
        1 => {
            let mat = r.offset();
            let mode = match r.u8("switch mode")? {
                0 => SwitchMode::Exact,
                1 => SwitchMode::Glob,
                2 => SwitchMode::Regexp,
                m => return r.malformed(mat, format!("unknown switch mode {m}")),
            };
            let nocase = r.bool("switch -nocase")?;
            let n = r.count("switch pattern count")?;
            let mut patterns = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                patterns.push(r.u32("switch pattern")?);
            }
            let mut names = [None, None];
            for slot in names.iter_mut() {
                if r.bool("switch variable flag")? {
                    *slot = Some(r.str("switch variable name")?.to_owned());
                }
            }
            let [match_var, index_var] = names;
            Ok(Aux::Switch { patterns, mode, nocase, match_var, index_var })
        }
        2 => {
            let n = r.count("jump table size")?;
            let mut t = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                t.push(r.u32("jump table target")?);
            }
            Ok(Aux::JumpTable(t))
        }
        3 => {
            let n = r.count("try handler count")?;
            let mut handlers = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                let mat = r.offset();
                let m = match r.u8("try handler kind")? {
                    0 => TryMatch::Code(r.i32("try handler code")?),
                    1 => TryMatch::Trap(r.u32("try trap pattern")?),
                    k => return r.malformed(mat, format!("unknown try handler kind {k}")),
                };
                handlers.push((m, r.u32("try handler target")?));
            }
            let no_match = r.u32("try no-match target")?;
            Ok(Aux::Try { handlers, no_match })
        }
        k => r.malformed(at, format!("unknown aux kind {k}")),
    }
}

fn read_instr(r: &mut Reader) -> Res<Instr> {
    use Instr::*;
    let at = r.offset();
    let opcode = r.u8("opcode")?;
    Ok(match opcode {
        op::PUSH => Push(r.u32("literal index")?),
        op::POP => Pop,
        op::DUP => Dup,
        op::SWAP => Swap,
        op::OVER => Over(r.u32("operand")?),
        op::NIP => Nip(r.u32("operand")?),
        op::CONCAT_WORDS => ConcatWords(r.u32("operand")?),
        op::CONCAT => Concat(r.u32("operand")?),
        op::LIST => List(r.u32("operand")?),
        op::LIST_APPEND => ListAppend,
        op::LIST_CONCAT => ListConcat,
        op::LOAD_LOCAL => LoadLocal(r.u32("slot")?),
        op::STORE_LOCAL => StoreLocal(r.u32("slot")?),
        op::INCR_LOCAL => IncrLocal(r.u32("slot")?, r.i32("increment")?),
        op::VAR => {
            let dat = r.offset();
            let d = r.u8("variable descriptor")?;
            if d & 0x80 != 0 {
                return r.malformed(dat, format!("variable descriptor {d:#x} has bit 7 set"));
            }
            let vop = match d & 0x0f {
                0 => VarOp::Load,
                1 => VarOp::Store,
                2 => VarOp::Incr,
                3 => VarOp::IncrImm(r.i32("increment")?),
                4 => VarOp::Append,
                5 => VarOp::Lappend(r.u32("lappend count")?),
                6 => VarOp::Unset(false),
                7 => VarOp::Unset(true),
                8 => VarOp::Exists,
                o => return r.malformed(dat, format!("unknown variable operation {o}")),
            };
            let addr = match (d >> 4) & 3 {
                0 => VarAddr::Slot(r.u32("slot")?),
                1 => VarAddr::Name(r.u32("name literal")?),
                2 => VarAddr::Stack,
                a => return r.malformed(dat, format!("unknown variable address kind {a}")),
            };
            Var { op: vop, addr, elem: d & 0x40 != 0 }
        }
        op::INVOKE => Invoke(r.u32("word count")?),
        op::INVOKE_LIST => InvokeList,
        op::EVAL_BODY => EvalBody(r.u32("annotation literal")?),
        op::UPLEVEL => Uplevel(r.u32("word count")?),
        op::EXPR_STK => ExprStk,
        op::BINARY => {
            let oat = r.offset();
            let t = r.u8("binary operator")?;
            match BINOPS.get(t as usize) {
                Some(&o) => Binary(o),
                None => return r.malformed(oat, format!("unknown binary operator {t}")),
            }
        }
        op::UNARY => {
            let oat = r.offset();
            let t = r.u8("unary operator")?;
            match UNOPS.get(t as usize) {
                Some(&o) => Unary(o),
                None => return r.malformed(oat, format!("unknown unary operator {t}")),
            }
        }
        op::MATH_FUNC => MathFunc(r.u32("function literal")?, r.u32("argument count")?),
        op::TO_NUMERIC => ToNumeric,
        op::TO_BOOL => ToBool,
        op::JUMP => Jump(r.u32("jump target")?),
        op::JUMP_TRUE => JumpTrue(r.u32("jump target")?),
        op::JUMP_FALSE => JumpFalse(r.u32("jump target")?),
        op::FOREACH_START => ForeachStart(r.u32("aux index")?),
        op::FOREACH_STEP => ForeachStep(r.u32("aux index")?, r.u32("jump target")?),
        op::FOREACH_END => ForeachEnd(r.u32("aux index")?),
        op::LMAP_COLLECT => LmapCollect(r.u32("aux index")?),
        op::RETHROW => Rethrow,
        op::RETURN_STK => ReturnStk,
        op::SWITCH_MATCH => SwitchMatch(r.u32("aux index")?),
        op::JUMP_TABLE => JumpTable(r.u32("aux index")?),
        op::TRY_DISPATCH => TryDispatch(r.u32("aux index")?),
        op::SUBST => Subst(r.u32("subst flags")?),
        op::COUNT_DOWN => CountDown(r.u32("jump target")?),
        op::TIME_START => TimeStart,
        op::TIME_END => TimeEnd,
        op::SYNTAX_ERROR => SyntaxError(r.u32("message literal")?),
        op::DONE => Done,
        op::RETHROW_DURING => RethrowDuring,
        op::RAISE_ARITH => RaiseArith(r.u32("message literal")?, r.u32("error code literal")?),
        op::DICT_PAIRS => DictPairs,
        op::LIST_TO_DICT => ListToDict,
        op::LMAP_COLLECT_PAIR => LmapCollectPair(r.u32("aux index")?),
        op::DICT_WITH_START => DictWithStart(r.u32("operand")?),
        op::DICT_WITH_END => DictWithEnd,
        op::DICT_UPDATE_START => DictUpdateStart(r.u32("operand")?),
        op::DICT_UPDATE_END => DictUpdateEnd,
        op::SORT_STEP => SortStep(r.u32("jump target")?),
        op::SORT_ANSWER => SortAnswer,
        o => return r.malformed(at, format!("unknown opcode {o}")),
    })
}

fn read_data(r: &mut Reader, codes: &[Rc<ByteCode>], order: &mut RefOrder, interp: &mut Interp) -> Res<()> {
    interp.limits = Limits {
        max_string_bytes: r.usize("max_string_bytes")?,
        max_list_len: r.usize("max_list_len")?,
        max_nesting: r.usize("max_nesting")?,
        max_stack: r.usize("max_stack")?,
    };
    interp.rng = r.fixed_u64("rng state")?;
    interp.script_name = r.str("script name")?.to_owned();
    interp.error_line = r.i64("error line")?;
    let epoch = r.varint("compile epoch")?;

    let mut table = CommandTable::default();
    let n = r.count("command count")?;
    let mut prev: Option<&str> = None;
    for i in 0..n {
        let at = r.offset();
        let name = r.str("command name")?;
        if let Some(p) = prev {
            if p.as_bytes() >= name.as_bytes() {
                return r.malformed(at, format!("command \"{name}\" is out of order or a duplicate (after \"{p}\")"));
            }
        }
        if name.starts_with("::") {
            return invalid(format!("command {i}: name \"{name}\" is not normalised"));
        }
        prev = Some(name);
        let kat = r.offset();
        let cmd = match r.u8("command kind")? {
            0 => {
                let b = r.str("built-in name")?;
                match crate::commands::builtin_named(b) {
                    Some(def) => Some(Command::Builtin(def)),
                    None => return invalid(format!("command \"{name}\": unknown built-in \"{b}\"")),
                }
            }
            1 => Some(Command::Proc(Rc::new(read_proc(r, codes, order, name)?))),
            2 => Some(Command::Host(Rc::from(r.str("host command name")?))),
            3 => {
                if crate::commands::builtin_named(name).is_none() {
                    return invalid(format!("command \"{name}\": deleted but not a built-in"));
                }
                None
            }
            k => return r.malformed(kat, format!("unknown command kind {k}")),
        };
        table.restore_change(name, cmd);
    }
    table.compile_epoch = epoch;
    interp.commands = table;

    let n = r.count("variable frame count")?;
    if n == 0 {
        return invalid("no global variable frame");
    }
    let mut frames = Vec::with_capacity(n.min(PREALLOC_MAX));
    for fi in 0..n {
        frames.push(read_var_frame(r, codes, order, fi)?);
    }
    interp.vars = Frames { frames };
    Ok(())
}

fn read_proc(r: &mut Reader, codes: &[Rc<ByteCode>], order: &mut RefOrder, cmd: &str) -> Res<Proc> {
    let name: Rc<str> = Rc::from(r.str("proc name")?);
    let n = r.count("proc argument count")?;
    let mut args = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        let a: Rc<str> = Rc::from(r.str("proc argument name")?);
        let d = if r.bool("proc argument default flag")? { Some(r.value("proc argument default")?) } else { None };
        args.push((a, d));
    }
    let args_value = r.value("proc argument spec")?;
    let body = r.value("proc body")?;
    let c = r.varint("proc code index")?;
    let compiled = if c == 0 {
        None
    } else {
        let i = order.take(c - 1, &|| format!("proc \"{cmd}\""))?;
        let code = codes[i].clone();
        if code.kind != CodeKind::ProcBody {
            return invalid(format!("proc \"{cmd}\": compiled body (code {i}) is not a proc body"));
        }
        Some(code)
    };
    Ok(Proc { name, args, args_value, body, compiled: std::cell::RefCell::new(compiled) })
}

fn read_var_frame(r: &mut Reader, codes: &[Rc<ByteCode>], order: &mut RefOrder, fi: usize) -> Res<VarFrame> {
    let level = r.u32("frame level")?;
    let caller = r.u32("frame caller")?;
    let c = r.varint("frame code index")?;
    let code = if c == 0 {
        None
    } else {
        let i = order.take(c - 1, &|| format!("variable frame {fi}"))?;
        Some(codes[i].clone())
    };
    let n = r.count("call word count")?;
    let mut objv = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        objv.push(r.value("call word")?);
    }
    let n = r.count("variable count")?;
    let mut vars = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        let at = r.offset();
        vars.push(match r.u8("variable kind")? {
            0 => Var::Undefined,
            1 => Var::Scalar(r.value("variable value")?),
            2 => {
                let m = r.count("array size")?;
                let mut map = ArrayMap::with_capacity_and_hasher(m.min(PREALLOC_MAX), Default::default());
                for _ in 0..m {
                    let kat = r.offset();
                    let k = r.str("array key")?;
                    let v = r.value("array element")?;
                    if map.insert(Rc::from(k), v).is_some() {
                        return r.malformed(kat, format!("duplicate array key \"{k}\""));
                    }
                }
                Var::Array(Box::new(map))
            }
            3 => Var::Link(Link {
                frame: r.u32("link frame")?,
                index: r.u32("link index")?,
                elem: r.opt_str("link element")?.map(Rc::from),
            }),
            k => return r.malformed(at, format!("unknown variable kind {k}")),
        });
    }
    let n = r.count("named variable count")?;
    let mut dynamic: crate::vars::NameMap = HashMap::default();
    let mut prev: Option<u32> = None;
    for _ in 0..n {
        let at = r.offset();
        let index = r.u32("variable index")?;
        let name = r.str("variable name")?;
        if prev.is_some_and(|p| p >= index) {
            return r.malformed(at, format!("variable index {index} out of order"));
        }
        prev = Some(index);
        if index as usize >= vars.len() {
            return invalid(format!(
                "variable frame {fi}: variable \"{name}\" has index {index} beyond its {} variables",
                vars.len()
            ));
        }
        if dynamic.insert(Rc::from(name), index).is_some() {
            return invalid(format!("variable frame {fi}: variable name \"{name}\" appears twice"));
        }
    }
    Ok(VarFrame { vars, dynamic, code, level, caller, objv })
}

fn read_exec(r: &mut Reader, codes: &[Rc<ByteCode>], order: &mut RefOrder, interp: &mut Interp) -> Res<()> {
    interp.nesting = r.usize("nesting")?;
    let n = r.count("code frame count")?;
    let mut frames = Vec::with_capacity(n.min(PREALLOC_MAX));
    for fi in 0..n {
        let c = r.varint("frame code index")?;
        let ci = order.take(c, &|| format!("code frame {fi}"))?;
        let pc = r.u32("frame pc")?;
        let base = r.u32("frame base")?;
        let var_frame = r.u32("frame variable frame")?;
        let at = r.offset();
        let kind = match r.u8("frame kind")? {
            0 => FrameKind::Top { annotation: r.opt_str("frame annotation")?.map(Rc::from) },
            1 => FrameKind::Proc { name: Rc::from(r.str("proc name")?) },
            2 => FrameKind::Lambda { lambda: r.value("lambda")? },
            3 => FrameKind::Body { annotation: r.opt_str("frame annotation")?.map(Rc::from) },
            4 => FrameKind::Expr,
            5 => FrameKind::Synthetic,
            k => return r.malformed(at, format!("unknown frame kind {k}")),
        };
        let sort = if r.bool("sort state flag")? {
            if kind != FrameKind::Synthetic {
                return invalid(format!("code frame {fi}: a sort state in a non-synthetic frame"));
            }
            let n = r.count("sort word count")?;
            let mut args = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                args.push(r.value("sort word")?);
            }
            let n = r.count("sort answer count")?;
            let mut answers = Vec::with_capacity(n.min(PREALLOC_MAX));
            for _ in 0..n {
                answers.push(r.i32("sort answer")?);
            }
            let pending = r.bool("sort pending flag")?;
            let state = crate::vm_sort::SortState::rebuild(args, answers, pending)
                .map_err(|e| SnapshotError::Invalid(format!("code frame {fi}: {}", e.value().as_str())))?;
            Some(Box::new(state))
        } else {
            None
        };
        frames.push(CodeFrame { code: codes[ci].clone(), pc, base, var_frame, kind, sort });
    }
    interp.frames = frames;
    let n = r.count("stack size")?;
    let mut stack = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        stack.push(r.value("stack value")?);
    }
    interp.stack = stack;
    interp.pending = if r.bool("pending request flag")? {
        let command = r.str("request command")?.to_owned();
        let n = r.count("request argument count")?;
        let mut args = Vec::with_capacity(n.min(PREALLOC_MAX));
        for _ in 0..n {
            args.push(r.str("request argument")?.to_owned());
        }
        Some(HostRequest { command, args })
    } else {
        None
    };
    interp.raise_pending = if r.bool("pending error flag")? { Some(read_exception(r)?) } else { None };
    Ok(())
}

fn read_exception(r: &mut Reader) -> Res<Exception> {
    let code = r.i32("exception code")?;
    let value = r.value("exception value")?;
    let mut e = Exception::new(code, value);
    let d = &mut *e.0;
    d.level = r.i32("exception level")?;
    d.return_code = r.i32("exception return code")?;
    d.error_code = if r.bool("errorcode flag")? { Some(r.value("errorcode")?) } else { None };
    d.error_info = r.str("errorinfo")?.to_owned();
    d.info_started = r.bool("errorinfo started flag")?;
    d.error_line = r.i64("errorline")?;
    let n = r.count("return option count")?;
    let mut extra = Vec::with_capacity(n.min(PREALLOC_MAX));
    for _ in 0..n {
        let k = r.value("return option name")?;
        let v = r.value("return option value")?;
        extra.push((k, v));
    }
    d.extra_options = extra;
    d.skip_log = r.bool("skip log flag")?;
    Ok(e)
}

// ===========================================================================
// Validation
// ===========================================================================

fn kind_name(k: CodeKind) -> &'static str {
    match k {
        CodeKind::Script => "script",
        CodeKind::ProcBody => "proc body",
        CodeKind::Expr => "expression",
        CodeKind::Synthetic => "synthetic",
    }
}

/// Checks one bytecode on its own: it ends with `Done`, and every literal,
/// aux, slot index, jump target, exception range and command location is
/// in range (slots only in proc bodies; aux entries of the kind their
/// instruction needs; source offsets on character boundaries).
pub fn verify(code: &ByteCode) -> Result<(), SnapshotError> {
    verify_code(code).map_err(SnapshotError::Invalid)
}

fn verify_code(c: &ByteCode) -> Result<(), String> {
    let n = c.code.len();
    if n == 0 || c.code[n - 1] != Instr::Done {
        return Err("bytecode does not end with Done".into());
    }
    if n > u32::MAX as usize {
        return Err("bytecode too long".into());
    }
    let proc_body = c.kind == CodeKind::ProcBody;
    if !proc_body && !c.locals.is_empty() {
        return Err(format!("{} code has {} compiled locals", kind_name(c.kind), c.locals.len()));
    }
    let mut seen = HashSet::with_capacity(c.locals.len());
    for l in &c.locals {
        if !seen.insert(&**l) {
            return Err(format!("compiled local \"{l}\" appears twice"));
        }
    }
    let nlit = c.literals.len();
    let nloc = c.locals.len();
    let lit = |l: u32, what: &str| -> Result<(), String> {
        if (l as usize) < nlit {
            Ok(())
        } else {
            Err(format!("{what} {l} out of range ({nlit} literals)"))
        }
    };
    let slot = |s: u32| -> Result<(), String> {
        if !proc_body {
            Err(format!("slot {s} addressed in {} code (only proc bodies have slots)", kind_name(c.kind)))
        } else if (s as usize) < nloc {
            Ok(())
        } else {
            Err(format!("slot {s} out of range ({nloc} locals)"))
        }
    };
    let target = |t: u32, what: &str| -> Result<(), String> {
        if (t as usize) < n {
            Ok(())
        } else {
            Err(format!("{what} {t} out of range ({n} instructions)"))
        }
    };
    let addr = |a: &VarAddr| -> Result<(), String> {
        match *a {
            VarAddr::Slot(s) => slot(s),
            VarAddr::Name(l) => lit(l, "variable name literal"),
            VarAddr::Stack => Ok(()),
        }
    };
    let aux = |a: u32, want: &str| -> Result<&Aux, String> {
        let Some(x) = c.aux.get(a as usize) else {
            return Err(format!("aux {a} out of range ({} aux entries)", c.aux.len()));
        };
        let ok = matches!(
            (x, want),
            (Aux::Foreach { .. }, "foreach")
                | (Aux::Switch { .. }, "switch")
                | (Aux::JumpTable(_), "jump table")
                | (Aux::Try { .. }, "try")
        );
        if ok {
            Ok(x)
        } else {
            Err(format!("aux {a} is not a {want} table"))
        }
    };

    for (pc, ins) in c.code.iter().enumerate() {
        use Instr::*;
        let r: Result<(), String> = match *ins {
            Push(l) => lit(l, "literal"),
            SyntaxError(l) => lit(l, "message literal"),
            RaiseArith(m, e) => lit(m, "message literal").and_then(|_| lit(e, "error code literal")),
            EvalBody(l) => {
                if l == u32::MAX {
                    Ok(())
                } else {
                    lit(l, "annotation literal")
                }
            }
            MathFunc(l, _) => lit(l, "function name literal"),
            LoadLocal(s) | StoreLocal(s) | IncrLocal(s, _) => slot(s),
            Var { addr: a, .. } => addr(&a),
            Jump(t) | JumpTrue(t) | JumpFalse(t) | CountDown(t) | SortStep(t) => target(t, "jump target"),
            ForeachStart(a) | ForeachEnd(a) | LmapCollect(a) | LmapCollectPair(a) => aux(a, "foreach").map(|_| ()),
            ForeachStep(a, t) => aux(a, "foreach").and_then(|_| target(t, "loop exit")),
            SwitchMatch(a) => aux(a, "switch").map(|_| ()),
            JumpTable(a) => aux(a, "jump table").map(|_| ()),
            TryDispatch(a) => aux(a, "try").map(|_| ()),
            Subst(f) => {
                if f < 8 {
                    Ok(())
                } else {
                    Err(format!("subst flags {f} out of range"))
                }
            }
            _ => Ok(()),
        };
        r.map_err(|e| format!("instruction {pc} {ins:?}: {e}"))?;
    }

    for (i, a) in c.aux.iter().enumerate() {
        let r: Result<(), String> = match a {
            Aux::Foreach { lists } => {
                if lists.is_empty() {
                    Err("foreach without lists".into())
                } else {
                    lists.iter().try_for_each(|vars| {
                        if vars.is_empty() {
                            return Err("empty foreach variable list".to_string());
                        }
                        vars.iter().try_for_each(|v| {
                            if *v == VarAddr::Stack {
                                Err("foreach variable addressed by the stack".to_string())
                            } else {
                                addr(v)
                            }
                        })
                    })
                }
            }
            Aux::Switch { patterns, .. } => {
                patterns.iter().try_for_each(|&p| if p == u32::MAX { Ok(()) } else { lit(p, "pattern literal") })
            }
            Aux::JumpTable(t) => t.iter().try_for_each(|&x| target(x, "jump table target")),
            Aux::Try { handlers, no_match } => handlers
                .iter()
                .try_for_each(|(m, t)| {
                    if let TryMatch::Trap(l) = m {
                        lit(*l, "trap pattern literal")?;
                    }
                    target(*t, "handler target")
                })
                .and_then(|_| target(*no_match, "no-match target")),
        };
        r.map_err(|e| format!("aux {i}: {e}"))?;
    }

    for (i, r) in c.ranges.iter().enumerate() {
        let res: Result<(), String> = if r.start > r.end || r.end as usize > n {
            Err(format!("bad bounds {}..{} ({n} instructions)", r.start, r.end))
        } else {
            match r.kind {
                RangeKind::Loop { break_to, continue_to } => {
                    target(break_to, "break target").and_then(|_| target(continue_to, "continue target"))
                }
                RangeKind::Catch { handler } => target(handler, "handler target"),
            }
        };
        res.map_err(|e| format!("exception range {i}: {e}"))?;
    }

    let src = &*c.source;
    for (i, l) in c.cmds.iter().enumerate() {
        if l.pc_start > l.pc_end || l.pc_end as usize > n {
            return Err(format!(
                "command location {i}: bad instruction range {}..{} ({n} instructions)",
                l.pc_start, l.pc_end
            ));
        }
        let (s, e) = (l.src_start as usize, l.src_end as usize);
        if s > e || e > src.len() || !src.is_char_boundary(s) || !src.is_char_boundary(e) {
            return Err(format!("command location {i}: bad source range {s}..{e} (source of {} bytes)", src.len()));
        }
    }
    Ok(())
}

/// Instructions after which a frame may be waiting for the frame above it.
fn starts_frame(i: &Instr) -> bool {
    matches!(
        i,
        Instr::Invoke(_)
            | Instr::InvokeList
            | Instr::EvalBody(_)
            | Instr::Uplevel(_)
            | Instr::ExprStk
            | Instr::Subst(_)
    )
}

/// Cross-checks the restored state as a whole.
fn check_state(interp: &Interp) -> Res<()> {
    let vframes = &interp.vars.frames;
    let nv = vframes.len();

    // Variable frames.
    for (fi, f) in vframes.iter().enumerate() {
        let ctx = |m: String| SnapshotError::Invalid(format!("variable frame {fi}: {m}"));
        if fi == 0 {
            if f.code.is_some() || f.level != 0 || f.caller != 0 {
                return Err(ctx("the global frame has a proc body, a level or a caller".into()));
            }
        } else {
            let Some(code) = &f.code else {
                return Err(ctx("has no proc body".into()));
            };
            if code.kind != CodeKind::ProcBody {
                return Err(ctx(format!("its code is a {}", kind_name(code.kind))));
            }
            if f.vars.len() < code.locals.len() {
                return Err(ctx(format!("{} variables for {} compiled locals", f.vars.len(), code.locals.len())));
            }
            if f.caller as usize >= fi {
                return Err(ctx(format!("caller {} is not an older frame", f.caller)));
            }
            let expected = vframes[f.caller as usize].level as u64 + 1;
            if f.level as u64 != expected {
                return Err(ctx(format!("level {} but its caller is at level {}", f.level, expected - 1)));
            }
        }
        if let Some(code) = &f.code {
            let locals: HashSet<&str> = code.locals.iter().map(|l| &**l).collect();
            for (name, &i) in &f.dynamic {
                if (i as usize) < code.locals.len() {
                    return Err(ctx(format!("variable \"{name}\" has the index {i} of a compiled local")));
                }
                if locals.contains(&**name) {
                    return Err(ctx(format!("variable \"{name}\" shadows a compiled local")));
                }
            }
        }
        for (vi, v) in f.vars.iter().enumerate() {
            if let Var::Link(l) = v {
                if l.frame as usize > fi {
                    return Err(ctx(format!("variable {vi} links to the newer frame {}", l.frame)));
                }
                let target_len = vframes[l.frame as usize].vars.len();
                if l.index as usize >= target_len {
                    return Err(ctx(format!(
                        "variable {vi} links to variable {} of frame {} which has {target_len}",
                        l.index, l.frame
                    )));
                }
            }
        }
    }
    // Link cycles (links only go to the same or older frames, so a cycle
    // stays within one frame).
    for (fi, f) in vframes.iter().enumerate() {
        let mut state = vec![0u8; f.vars.len()];
        let mut path = Vec::new();
        for start in 0..f.vars.len() {
            let mut cur = start;
            path.clear();
            loop {
                match state[cur] {
                    1 => return invalid(format!("variable frame {fi}: variable {cur} is linked to itself")),
                    2 => break,
                    _ => {}
                }
                state[cur] = 1;
                path.push(cur);
                match &f.vars[cur] {
                    Var::Link(l) if l.frame as usize == fi => cur = l.index as usize,
                    _ => break,
                }
            }
            for &p in &path {
                state[p] = 2;
            }
        }
    }

    // Code frames.
    let frames = &interp.frames;
    let mut owners = 0usize;
    let mut counting = 0usize;
    let mut prev_base = 0u32;
    for (i, f) in frames.iter().enumerate() {
        let ctx = |m: String| SnapshotError::Invalid(format!("code frame {i}: {m}"));
        let len = f.code.code.len();
        if f.pc as usize > len {
            return Err(ctx(format!("pc {} beyond its {len} instructions", f.pc)));
        }
        if i + 1 < frames.len() {
            let waiting = f.pc >= 1 && starts_frame(&f.code.code[f.pc as usize - 1]);
            if !waiting {
                return Err(ctx(format!("pc {} does not follow an instruction that starts a frame", f.pc)));
            }
        }
        if f.base < prev_base {
            return Err(ctx(format!("base {} below the base {prev_base} of the frame under it", f.base)));
        }
        prev_base = f.base;
        if f.kind.counts_as_level() {
            counting += 1;
        }
        let want = match f.kind {
            FrameKind::Top { .. } => CodeKind::Script,
            FrameKind::Proc { .. } | FrameKind::Lambda { .. } => CodeKind::ProcBody,
            FrameKind::Body { .. } => CodeKind::Script,
            FrameKind::Expr => CodeKind::Expr,
            FrameKind::Synthetic => CodeKind::Synthetic,
        };
        if f.code.kind != want {
            return Err(ctx(format!(
                "runs {} code where {} code is expected",
                kind_name(f.code.kind),
                kind_name(want)
            )));
        }
        let is_top = matches!(f.kind, FrameKind::Top { .. });
        if is_top != (i == 0) {
            return Err(ctx("only the first frame is the top level, and it must be".into()));
        }
        match f.kind {
            FrameKind::Proc { .. } | FrameKind::Lambda { .. } => {
                owners += 1;
                if f.var_frame as usize != owners {
                    return Err(ctx(format!("owns variable frame {} where {owners} is expected", f.var_frame)));
                }
                let Some(vf) = vframes.get(owners) else {
                    return Err(ctx(format!("variable frame {owners} does not exist")));
                };
                if !vf.code.as_ref().is_some_and(|c| Rc::ptr_eq(c, &f.code)) {
                    return Err(ctx(format!("runs other code than its variable frame {owners}")));
                }
                // `i > 0` since only frame 0 is the top level.
                let below = frames[i - 1].var_frame;
                if vf.caller != below {
                    return Err(ctx(format!(
                        "variable frame {owners} was called from frame {} but the caller runs in {below}",
                        vf.caller
                    )));
                }
            }
            _ => {
                if f.var_frame as usize > owners {
                    return Err(ctx(format!(
                        "runs in variable frame {} which is not yet created ({} exist below it)",
                        f.var_frame,
                        owners + 1
                    )));
                }
            }
        }
    }
    if owners + 1 != nv {
        return invalid(format!("{nv} variable frames for {owners} proc and lambda frames"));
    }
    if counting != interp.nesting {
        return invalid(format!("nesting {} but {counting} frames count as levels", interp.nesting));
    }
    if prev_base as usize > interp.stack.len() {
        return invalid(format!("frame base {prev_base} above the operand stack of {} values", interp.stack.len()));
    }
    if interp.pending.is_some() && interp.raise_pending.is_some() {
        return invalid("both a host request and an error are pending");
    }
    if interp.pending.is_some() && frames.is_empty() {
        return invalid("a host request is pending but nothing runs");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::{HostResult, Outcome, Output};
    use proptest::prelude::*;
    use std::sync::{Arc, Mutex};

    /// Output shared with the test, surviving migrations.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<String>>);

    impl Output for Shared {
        fn write(&mut self, channel: &str, text: &str) -> Result<(), String> {
            let mut s = self.0.lock().map_err(|e| e.to_string())?;
            if channel == "stderr" {
                s.push_str("[stderr]");
            }
            s.push_str(text);
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
    }

    const LIMIT: u64 = 3_000_000;

    fn fresh(script: &str) -> (Interp, Shared) {
        let out = Shared::default();
        let mut interp = Interp::new();
        interp.set_output(Box::new(out.clone()));
        interp.start(script, None);
        (interp, out)
    }

    fn plain(script: &str) -> (String, Outcome) {
        let (mut interp, out) = fresh(script);
        let o = interp.run(LIMIT);
        (out.text(), o)
    }

    /// Saves, restores, and checks that the restored state saves to the
    /// same bytes.
    fn roundtrip(interp: &Interp) -> Interp {
        let bytes = save(interp).expect("save");
        let restored = restore(&bytes).unwrap_or_else(|e| panic!("restore failed: {e}"));
        let again = save(&restored).expect("save again");
        assert!(again == bytes, "save(restore(save(x))) differs from save(x)");
        restored
    }

    /// Runs `script` in slices of the given sizes (cycled), moving the VM
    /// through a snapshot into a fresh interpreter after every slice.
    fn migrating(script: &str, slices: &[u64]) -> (String, Outcome) {
        let (mut interp, out) = fresh(script);
        let mut used = 0u64;
        let mut k = 0;
        loop {
            let n = slices[k % slices.len()].min(LIMIT - used);
            k += 1;
            match interp.run(n) {
                Outcome::OutOfBudget => {
                    used += n;
                    if used >= LIMIT {
                        return (out.text(), Outcome::OutOfBudget);
                    }
                    interp = roundtrip(&interp);
                    interp.set_output(Box::new(out.clone()));
                }
                o => return (out.text(), o),
            }
        }
    }

    const BIG_SCRIPT: &str = r#"
proc fact {n} { if {$n <= 1} { return 1 }; expr {$n * [fact [expr {$n - 1}]]} }
puts "fact 6 = [fact 6]"
proc fib {n} { if {$n < 2} { return $n }; expr {[fib [expr {$n-1}]] + [fib [expr {$n-2}]]} }
puts "fib 7 = [fib 7]"
set total 0
foreach x {1 2 3 4 5} y {a b c} { append acc $x$y; incr total $x }
puts "$acc $total"
proc loops {} {
    set out {}
    foreach {a b} {1 2 3 4 5 6} { lappend out [expr {$a * $b}] }
    set sq [lmap v {1 2 3} { expr {$v * $v} }]
    for {set i 0} {$i < 5} {incr i} { if {$i == 3} continue; lappend out i$i }
    set j 0
    while 1 { incr j; if {$j > 4} break }
    return [concat $out $sq $j]
}
puts [loops]
set r [catch {error "boom" "custom info" {MY CODE}} msg opts]
puts "catch $r $msg"
puts "opts: $opts"
try { error oops } on error {m o} { puts "caught $m" } finally { puts "finally 1" }
try { set z 5 } on ok {v} { puts "ok $v" } finally { puts "finally 2" }
proc thrower {} { throw {APP ERR} "thrown" }
try { thrower } trap {APP} {m} { puts "trapped $m" }
proc nested {} {
    try { try { error inner } finally { puts "inner finally" } } on error {m} { puts "outer caught $m" }
    set c [catch { return -code break x } res]
    puts "code $c $res"
}
nested
set arr(one) 1; set arr(two) 2; set arr(three) 3
puts [array names arr]; puts [array size arr]
proc setter {name val} { upvar 1 $name v; set v $val }
setter viaup 42; puts $viaup
proc elem {} { upvar 1 arr a; incr a(one) 10; return $a(one) }
puts [elem]
proc gl {} { global total; incr total 100 }
gl; puts $total
set l {}; lappend l a {b c} d; puts $l
lassign $l p q r; puts "$p|$q|$r"
puts [apply {{x y} {expr {$x * $y}}} 6 7]
puts [subst {total=$total [expr {1+2}]}]
switch -glob -- hello { h* { puts "glob hit" } default { puts miss } }
switch $total { 115 {puts exact} default {puts "other $total"} }
eval {puts "eval'd"; set e 1}
proc up {} { uplevel 1 {set fromup 7}; return [info level 0] }
puts [up]; puts $fromup
rename gl gl2; gl2; puts $total
puts [info exists fromup]
catch {nosuch} m; puts $m
set cmd set; $cmd dyn 5; puts $dyn
set f foreach; $f w {p q} { puts "dyn $w" }
puts [expr $total + 1]
puts [concat a {b c} d]
proc deep {n} { if {$n == 0} { error "bottom" } ; deep [expr {$n-1}] }
catch {deep 3} m; puts "deep: $m"; puts $::errorInfo
unset arr(two); puts [array names arr]
proc lv {args} { set x [info level]; return "$x $args" }
puts [lv 1 2 3]
set i 0
while {$i < 20} { incr i; if {$i % 2} continue; append evens $i, }
puts $evens
proc counter {} { set n 0; foreach x {a b c d} { incr n; if {$x eq "c"} { return $n } } }
puts [counter]
puts done
"#;

    #[test]
    fn idle_interpreter_roundtrips() {
        let interp = Interp::new();
        let r = roundtrip(&interp);
        assert!(r.is_idle());
        let mut r = r;
        assert_eq!(r.eval("set x 3; incr x").unwrap(), "4");
        roundtrip(&r);
    }

    #[test]
    fn big_script_same_output_under_migration() {
        let (out, outcome) = plain(BIG_SCRIPT);
        assert!(matches!(outcome, Outcome::Finished(_)), "plain run: {outcome:?}\n{out}");
        assert!(out.contains("fact 6 = 720"), "{out}");
        assert!(out.ends_with("done\n"), "{out}");
        for n in [1, 3, 7] {
            let (o2, outcome2) = migrating(BIG_SCRIPT, &[n]);
            assert_eq!(o2, out, "output differs when migrating every {n}");
            assert_eq!(outcome2, outcome, "outcome differs when migrating every {n}");
        }
    }

    #[test]
    fn errors_survive_migration() {
        let script = "proc a {} { b }\nproc b {} { error \"bad thing\" {} {X Y} }\nputs start\na\nputs never";
        let (out, outcome) = plain(script);
        assert!(matches!(outcome, Outcome::Error(_)), "{outcome:?}");
        for n in [1, 2, 5] {
            assert_eq!(migrating(script, &[n]), (out.clone(), outcome.clone()));
        }
    }

    #[test]
    fn host_requests_and_pending_errors() {
        let script = "set a [ask q1]\nputs \"got $a\"\nset c [catch {ask fail} m]\nputs \"err $c $m\"\nputs [ask q3]";
        let host = || -> crate::interp::HostFn {
            Box::new(|_: &mut Interp, args: &[Value]| {
                HostResult::Suspend(HostRequest {
                    command: "ask".into(),
                    args: args[1..].iter().map(|v| v.as_str().into_owned()).collect(),
                })
            })
        };
        let (mut interp, out) = fresh("");
        interp.register_host("ask", host());
        interp.start(script, None);
        let mut answers = vec![Err("nope".to_string()), Ok("answer".to_string())];
        let mut requests = Vec::new();
        loop {
            match interp.run(3) {
                Outcome::OutOfBudget => {}
                Outcome::Request(req) => {
                    requests.push(req.args.join(" "));
                    // A pending request survives migration.
                    interp = roundtrip(&interp);
                    interp.set_output(Box::new(out.clone()));
                    interp.provide_host("ask", host());
                    assert_eq!(interp.pending_request(), Some(&req));
                    let a = answers.pop().unwrap_or(Ok("last".into()));
                    interp.resume(a).unwrap();
                    // ... and so does the answer (or error) to be delivered.
                }
                Outcome::Finished(_) => break,
                o => panic!("unexpected {o:?}"),
            }
            interp = roundtrip(&interp);
            interp.set_output(Box::new(out.clone()));
            interp.provide_host("ask", host());
        }
        assert_eq!(requests, vec!["q1", "fail", "q3"]);
        assert_eq!(out.text(), "got answer\nerr 1 nope\nlast\n");
    }

    #[test]
    fn renamed_and_deleted_builtins_survive() {
        let script = "rename puts say\nrename concat {}\nproc puts {x} { say \"proc: $x\" }\nputs hi";
        let (mut interp, out) = fresh(script);
        assert_eq!(interp.run(LIMIT), Outcome::Finished(String::new()));
        let mut r = roundtrip(&interp);
        r.set_output(Box::new(out.clone()));
        r.start("puts again; say direct; catch {concat a} m; say $m", None);
        assert_eq!(r.run(LIMIT), Outcome::Finished(String::new()));
        assert_eq!(out.text(), "proc: hi\nproc: again\ndirect\ninvalid command name \"concat\"\n");
    }

    #[test]
    fn structured_values_keep_structure() {
        let (mut interp, _) = fresh("set l {}; lappend l a {b c}; catch {error x} r o; set o");
        let _ = interp.run(LIMIT);
        let r = roundtrip(&interp);
        let l = r.vars.frames[0].find("l").unwrap();
        let Var::Scalar(v) = &r.vars.frames[0].vars[l as usize] else { panic!("l is not a scalar") };
        assert!(matches!(v.snapshot_parts(), Some((None, Rep::List(_)))));
        assert_eq!(v.as_str(), "a {b c}");
    }

    #[test]
    fn deep_lists_are_written_as_strings_beyond_the_depth_limit() {
        let mut v = Value::from("x");
        for _ in 0..(MAX_VALUE_DEPTH + 20) {
            v = Value::list(vec![v, Value::Int(1)]);
        }
        let mut interp = Interp::new();
        let i = interp.vars.frames[0].find_or_create("deep") as usize;
        interp.vars.frames[0].vars[i] = Var::Scalar(v.clone());
        let r = roundtrip(&interp);
        let Var::Scalar(w) = &r.vars.frames[0].vars[i] else { panic!() };
        assert_eq!(w.as_str(), v.as_str());
    }

    // ----- corruption ---------------------------------------------------

    fn mid_run_snapshot() -> Vec<u8> {
        let (mut interp, _) = fresh(BIG_SCRIPT);
        assert_eq!(interp.run(1500), Outcome::OutOfBudget);
        save(&interp).unwrap()
    }

    fn reseal(mut b: Vec<u8>) -> Vec<u8> {
        let n = b.len() - 8;
        let sum = fnv1a64(&b[..n]);
        b[n..].copy_from_slice(&sum.to_le_bytes());
        b
    }

    #[test]
    fn truncation_is_refused_at_every_length() {
        let bytes = mid_run_snapshot();
        for k in 0..bytes.len() {
            assert!(restore(&bytes[..k]).is_err(), "accepted a prefix of {k} bytes");
        }
        assert!(restore(&bytes).is_ok());
    }

    #[test]
    fn checksum_catches_flips() {
        let bytes = mid_run_snapshot();
        let mut b = bytes.clone();
        b[bytes.len() / 2] ^= 0x10;
        assert!(matches!(restore(&b), Err(SnapshotError::ChecksumMismatch { .. })));
    }

    fn xorshift(s: &mut u64) -> u64 {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        *s
    }

    /// Byte flips with the checksum recomputed exercise the decoder and the
    /// validator: never a panic, and whatever is accepted is canonical and
    /// runs without panicking.
    #[test]
    fn resealed_flips_never_panic() {
        let bytes = mid_run_snapshot();
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut accepted = 0;
        for round in 0..3000 {
            let mut b = bytes.clone();
            let flips = 1 + round % 3;
            for _ in 0..flips {
                let pos = 6 + (xorshift(&mut seed) as usize) % (b.len() - 14);
                let bit = xorshift(&mut seed) % 8;
                if round % 2 == 0 {
                    b[pos] ^= 1 << bit;
                } else {
                    b[pos] = xorshift(&mut seed) as u8;
                }
            }
            let b = reseal(b);
            if let Ok(mut interp) = restore(&b) {
                accepted += 1;
                assert_eq!(save(&interp).unwrap(), b, "accepted input is not canonical");
                interp.set_output(Box::new(Shared::default()));
                let _ = interp.run(20_000);
            }
        }
        // Flips inside strings and numbers stay valid: some must pass.
        assert!(accepted > 0);
    }

    fn header() -> Writer {
        let mut w = Writer::default();
        w.buf.extend_from_slice(MAGIC);
        w.buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        w
    }

    fn seal(mut w: Writer) -> Vec<u8> {
        let sum = fnv1a64(&w.buf);
        w.fixed_u64(sum);
        w.buf
    }

    /// One code whose only literal is written by `lit`.
    fn code_with_literal(lit: impl FnOnce(&mut Writer)) -> Vec<u8> {
        let mut c = Writer::default();
        c.count(1);
        c.u8(0); // script
        c.u8(0); // flags
        c.varint(0); // epoch
        c.str("");
        c.count(0); // locals
        c.count(1); // literals
        lit(&mut c);
        c.count(0); // aux
        c.count(0); // ranges
        c.count(0); // cmds
        c.count(2);
        c.u8(op::PUSH);
        c.u32(0);
        c.u8(op::DONE);
        let mut w = header();
        w.section(SECTION_CODE, &c);
        seal(w)
    }

    #[test]
    fn huge_lengths_are_refused_before_allocating() {
        for huge in [1u64 << 60, u64::MAX, 1 << 32, 1 << 40] {
            let mut w = header();
            w.u8(SECTION_CODE);
            w.varint(huge);
            let e = restore(&seal(w)).err().expect("expected an error");
            assert!(matches!(e, SnapshotError::Malformed { .. }), "{e}");
            let b = code_with_literal(|c| {
                c.u8(V_LIST);
                c.varint(huge);
            });
            assert!(restore(&b).is_err());
            let b = code_with_literal(|c| {
                c.u8(V_STR);
                c.varint(huge);
            });
            assert!(restore(&b).is_err());
        }
        // An 11-byte varint.
        let mut w = header();
        w.u8(SECTION_CODE);
        w.buf.extend_from_slice(&[0xff; 10]);
        w.u8(1);
        let e = restore(&seal(w)).err().expect("expected an error");
        assert!(e.to_string().contains("varint"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing() {
        let b = code_with_literal(|c| {
            for _ in 0..200_000 {
                c.u8(V_LIST);
                c.count(1);
            }
            c.u8(V_INT);
            c.i64(0);
        });
        let e = restore(&b).err().expect("expected an error");
        assert!(e.to_string().contains("nested deeper"), "{e}");
    }

    #[test]
    fn bad_magic_and_version() {
        assert_eq!(restore(b"nope").err().expect("expected an error"), SnapshotError::NotASnapshot);
        let mut b = mid_run_snapshot();
        b[4] = 99;
        assert_eq!(restore(&b).err().expect("expected an error"), SnapshotError::UnsupportedVersion(99));
        let b = reseal({
            let mut b = mid_run_snapshot();
            b.insert(b.len() - 8, 0);
            b
        });
        assert!(restore(&b).err().expect("expected an error").to_string().contains("unexpected bytes"));
    }

    #[test]
    fn unknown_builtin_is_refused() {
        // Only changes to the built-in set are saved: rename one.
        let (mut interp, _) = fresh("rename lassign la2");
        assert!(matches!(interp.run(LIMIT), Outcome::Finished(_)));
        let b = save(&interp).unwrap();
        // "lassign" -> "lassigX" everywhere (same length, so offsets hold).
        let mut b2 = b.clone();
        let pat = b"lassign";
        let mut changed = 0;
        for i in 0..b2.len() - pat.len() {
            if &b2[i..i + pat.len()] == pat {
                b2[i + pat.len() - 1] = b'X';
                changed += 1;
            }
        }
        assert_eq!(changed, 2); // the deleted name and la2's built-in name
        let e = restore(&reseal(b2)).err().expect("expected an error");
        assert!(e.to_string().contains("built-in"), "{e}");
    }

    /// Corrupts a live interpreter stopped inside procs, saves it (save
    /// trusts its input) and checks that restore names the problem.
    fn corrupted(edit: impl FnOnce(&mut Interp), expect: &str) {
        let script = "proc f {x} { upvar 1 g gg; set y [g2 $x]; return $y }\nproc g2 {z} { foreach q {1 2 3} { set w $q }; return $z }\nset g 1\nf 5";
        let (mut interp, _) = fresh(script);
        // Stop inside g2's foreach.
        let mut steps = 0;
        while interp.frames.len() < 3 || interp.vars.frames.len() < 3 {
            assert_eq!(interp.run(1), Outcome::OutOfBudget);
            steps += 1;
            assert!(steps < 10_000);
        }
        let _ = interp.run(5);
        restore(&save(&interp).unwrap()).expect("uncorrupted state restores");
        edit(&mut interp);
        let e = match restore(&save(&interp).unwrap()) {
            Ok(_) => panic!("corruption not detected (expected \"{expect}\")"),
            Err(e) => e.to_string(),
        };
        assert!(e.contains(expect), "error \"{e}\" does not mention \"{expect}\"");
    }

    #[test]
    fn validator_names_the_problem() {
        corrupted(|i| i.frames[1].pc = 100_000, "beyond its");
        corrupted(|i| i.frames[0].pc = 0, "does not follow an instruction that starts a frame");
        corrupted(|i| i.frames[2].var_frame = 1, "owns variable frame 1 where 2");
        corrupted(|i| i.frames[0].var_frame = 5, "not yet created");
        corrupted(|i| i.nesting = 7, "nesting 7");
        corrupted(|i| i.frames[2].base = 1000, "above the operand stack");
        corrupted(
            |i| {
                i.frames[1].base = 3;
                i.frames[2].base = 1;
            },
            "below the base",
        );
        corrupted(
            |i| {
                i.vars.frames.pop();
            },
            "does not exist",
        );
        corrupted(|i| i.vars.frames[2].caller = 2, "caller 2 is not an older frame");
        corrupted(|i| i.vars.frames[2].level = 9, "level 9");
        corrupted(
            |i| i.vars.frames[1].vars.push(Var::Link(Link { frame: 2, index: 0, elem: None })),
            "links to the newer frame 2",
        );
        corrupted(
            |i| i.vars.frames[1].vars.push(Var::Link(Link { frame: 0, index: 999, elem: None })),
            "links to variable 999",
        );
        corrupted(
            |i| {
                let n = i.vars.frames[0].vars.len() as u32;
                i.vars.frames[0].vars.push(Var::Link(Link { frame: 0, index: n + 1, elem: None }));
                i.vars.frames[0].vars.push(Var::Link(Link { frame: 0, index: n, elem: None }));
            },
            "linked to itself",
        );
        corrupted(|i| i.vars.frames[2].vars.clear(), "compiled locals");
        corrupted(
            |i| {
                i.pending = Some(HostRequest { command: "x".into(), args: vec![] });
                i.raise_pending = Some(Exception::error("e"));
            },
            "both a host request and an error",
        );
        corrupted(|i| i.frames[1].kind = FrameKind::Expr, "runs proc body code where expression code is expected");
        corrupted(
            |i| {
                let mut c = (*i.frames[2].code).clone();
                c.code.insert(0, Instr::Jump(10_000));
                i.frames[2].code = Rc::new(c);
            },
            "jump target 10000 out of range",
        );
    }

    // ----- verify -------------------------------------------------------

    fn code(kind: CodeKind, instrs: Vec<Instr>) -> ByteCode {
        ByteCode {
            kind,
            code: instrs,
            literals: vec![Value::from("x")],
            aux: vec![Aux::JumpTable(vec![0])],
            ranges: vec![],
            cmds: vec![],
            locals: if kind == CodeKind::ProcBody { vec![Rc::from("a")] } else { vec![] },
            source: Rc::from("h\u{e9}llo"),
            compile_epoch: 0,
            in_proc: false,
        }
    }

    fn verify_err(c: &ByteCode) -> String {
        verify(c).expect_err("expected an error").to_string()
    }

    #[test]
    fn verify_checks_operands() {
        use Instr::*;
        assert!(verify(&code(CodeKind::Script, vec![Push(0), Done])).is_ok());
        assert!(verify_err(&code(CodeKind::Script, vec![Push(0)])).contains("Done"));
        assert!(verify_err(&code(CodeKind::Script, vec![Push(1), Done])).contains("literal 1"));
        assert!(verify_err(&code(CodeKind::Script, vec![LoadLocal(0), Done])).contains("only proc bodies"));
        assert!(verify(&code(CodeKind::ProcBody, vec![LoadLocal(0), Done])).is_ok());
        assert!(verify_err(&code(CodeKind::ProcBody, vec![StoreLocal(1), Done])).contains("slot 1 out of range"));
        assert!(verify_err(&code(CodeKind::Script, vec![Jump(2), Done])).contains("jump target"));
        assert!(verify_err(&code(CodeKind::Script, vec![ForeachStart(0), Done])).contains("not a foreach table"));
        assert!(verify(&code(CodeKind::Script, vec![JumpTable(0), Done])).is_ok());
        assert!(verify_err(&code(CodeKind::Script, vec![TryDispatch(3), Done])).contains("aux 3 out of range"));
        let mut c = code(CodeKind::Script, vec![Done]);
        c.cmds.push(CmdLoc { pc_start: 0, pc_end: 1, src_start: 2, src_end: 3 });
        assert!(verify_err(&c).contains("bad source range"));
        let mut c = code(CodeKind::Script, vec![Done]);
        c.ranges.push(ExceptRange { start: 0, end: 1, depth: 0, kind: RangeKind::Catch { handler: 1 } });
        assert!(verify_err(&c).contains("handler target 1"));
    }

    // ----- random scripts -------------------------------------------------

    /// A small random script from a grammar of the commands that exist.
    struct Gen {
        seed: u64,
        procs: usize,
        out: String,
    }

    impl Gen {
        fn pick(&mut self, n: u64) -> u64 {
            xorshift(&mut self.seed) % n
        }

        fn var(&mut self) -> &'static str {
            ["a", "b", "c"][self.pick(3) as usize]
        }

        fn expr(&mut self) -> String {
            let ops = ["+", "-", "*", "<", "==", "!=", ">="];
            match self.pick(4) {
                0 => format!("{}", self.pick(10)),
                1 => format!("${}", self.var()),
                _ => {
                    let op = ops[self.pick(ops.len() as u64) as usize];
                    format!("${} {op} {}", self.var(), self.pick(5))
                }
            }
        }

        fn block(&mut self, depth: u32, in_loop: bool, indent: &str) {
            let n = 1 + self.pick(4);
            for _ in 0..n {
                self.stmt(depth, in_loop, indent);
            }
        }

        fn stmt(&mut self, depth: u32, in_loop: bool, ind: &str) {
            let inner = format!("{ind}  ");
            let kinds = if depth == 0 { 10 } else { 20 };
            let k = self.pick(kinds);
            let v = self.var();
            let line = match k {
                0 => format!("set {v} [expr {{{}}}]", self.expr()),
                1 => format!("incr {v} {}", self.pick(3)),
                2 => format!("append s {v}${v}"),
                3 => format!("lappend l ${v}"),
                4 => format!("puts \"{v}=${v} l=[set l] s=$s\""),
                5 => format!("set arr(${v}) ${}", self.var()),
                6 => format!("catch {{error \"e${v}\"}} r; puts $r"),
                7 if self.procs > 0 => {
                    let p = self.pick(self.procs as u64);
                    format!("puts [p{p} ${v}]")
                }
                8 if in_loop => ["break", "continue"][self.pick(2) as usize].to_string(),
                9 => format!("puts [array size arr]; lassign $l {v}"),
                10 => {
                    let e = self.expr();
                    self.out.push_str(&format!("{ind}if {{{e}}} {{\n"));
                    self.block(depth - 1, in_loop, &inner);
                    self.out.push_str(&format!("{ind}}} else {{\n"));
                    self.block(depth - 1, in_loop, &inner);
                    self.out.push_str(&format!("{ind}}}\n"));
                    return;
                }
                11 => {
                    let lv = format!("i{depth}");
                    let n = self.pick(4);
                    self.out.push_str(&format!("{ind}for {{set {lv} 0}} {{${lv} < {n}}} {{incr {lv}}} {{\n"));
                    self.block(depth - 1, true, &inner);
                    self.out.push_str(&format!("{ind}}}\n"));
                    return;
                }
                12 => {
                    self.out.push_str(&format!("{ind}foreach x{depth} {{1 2 3}} {{\n"));
                    self.block(depth - 1, true, &inner);
                    self.out.push_str(&format!("{ind}}}\n"));
                    return;
                }
                13 => {
                    let w = format!("w{depth}");
                    let n = self.pick(4);
                    self.out.push_str(&format!("{ind}set {w} 0; while {{${w} < {n}}} {{\n{inner}incr {w}\n"));
                    self.block(depth - 1, true, &inner);
                    self.out.push_str(&format!("{ind}}}\n"));
                    return;
                }
                14 => {
                    self.out.push_str(&format!("{ind}set rc [catch {{\n"));
                    self.block(depth - 1, false, &inner);
                    self.out.push_str(&format!("{ind}}} res]; puts \"rc $rc $res\"\n"));
                    return;
                }
                15 => {
                    self.out.push_str(&format!("{ind}try {{\n"));
                    self.block(depth - 1, false, &inner);
                    self.out
                        .push_str(&format!("{ind}}} on error {{m}} {{ puts \"err $m\" }} finally {{ puts fin }}\n"));
                    return;
                }
                16 => {
                    self.proc_def(depth, v, ind);
                    return;
                }
                17 => {
                    self.out.push_str(&format!(
                        "{ind}switch ${v} {{\n{inner}1 {{ puts one }}\n{inner}2 - 3 {{ puts two-three }}\n{inner}default {{\n"
                    ));
                    self.block(depth - 1, in_loop, &inner);
                    self.out.push_str(&format!("{inner}}}\n{ind}}}\n"));
                    return;
                }
                18 => {
                    self.out.push_str(&format!("{ind}eval {{\n"));
                    self.block(depth - 1, in_loop, &inner);
                    self.out.push_str(&format!("{ind}}}\n"));
                    return;
                }
                _ => format!(
                    "puts [lmap y {{1 2}} {{expr {{$y + ${v}}}}}]; puts [apply {{{{q}} {{expr {{$q - 1}}}}}} ${v}]"
                ),
            };
            self.out.push_str(ind);
            self.out.push_str(&line);
            self.out.push('\n');
        }
    }

    impl Gen {
        /// A proc that may call earlier procs and reach globals.
        fn proc_def(&mut self, depth: u32, v: &str, ind: &str) {
            let inner = format!("{ind}  ");
            let p = self.procs;
            self.out.push_str(&format!(
                "{ind}proc p{p} {{x}} {{\n{inner}global a b c l s arr\n{inner}upvar 1 {v} up\n{inner}set up [expr {{$x + 1}}]\n"
            ));
            self.block(depth.saturating_sub(1), false, &inner);
            self.out.push_str(&format!("{inner}return [expr {{$x * 2}}]\n{ind}}}\n"));
            self.procs += 1;
        }
    }

    fn random_script(seed: u64) -> String {
        let mut g = Gen {
            seed: seed | 1,
            procs: 0,
            out: String::from("set a 1; set b 2; set c 3; set l {}; set s {}; set arr(0) 0\n"),
        };
        for _ in 0..g.pick(3) {
            let v = g.var();
            g.proc_def(2, v, "");
        }
        for _ in 0..6 {
            g.stmt(3, false, "");
        }
        g.out.push_str("puts \"end $a $b $c $l $s\"\n");
        g.out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]
        #[test]
        fn random_scripts_migrate(seed in any::<u64>(), slices in prop::collection::vec(1u64..60, 1..6)) {
            let script = random_script(seed);
            let (out, outcome) = plain(&script);
            let (out2, outcome2) = migrating(&script, &slices);
            prop_assert_eq!(&out2, &out, "script:\n{}", script);
            prop_assert_eq!(outcome2, outcome, "script:\n{}", script);
        }
    }
}
