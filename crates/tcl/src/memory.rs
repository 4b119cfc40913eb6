//! Memory accounting: an approximate but conservative count of the bytes an
//! interpreter holds, and a quota enforced when it is crossed.
//!
//! The count is a walk of everything reachable from the `Interp` (variables,
//! arrays, values with their string forms and list/dict/bigint reps, code
//! and variable frames, the operand stack, procs and bytecode); a value
//! shared by several owners is counted once. Walking costs time in
//! proportion to the agent's data, so it is done only when the running
//! estimate says the quota may have been crossed:
//!
//! - Commands that build a value in proportion to an argument (`string
//!   repeat`, `lrepeat`, `format`, `append`, `join`, `concat`...) already
//!   check the size against `Limits` *before* they allocate; with a quota
//!   set, the same check charges the bytes (`Interp::check_string`,
//!   `Interp::check_list`). `string repeat x 1e9` fails before it allocates.
//! - Every other instruction allocates a small, bounded amount (a variable,
//!   an array element, one list element, a frame); `run` charges
//!   [`BYTES_PER_INSTRUCTION`] for each instruction, by handing the VM at
//!   most as many instructions as the remaining allowance covers.
//!
//! When the estimate passes the quota, the interpreter is measured exactly
//! (values freed since are not counted any more); if it is still over, the
//! charging command (or instruction) fails with `memory quota exceeded`,
//! error code `TCL MEMORY QUOTA`. The meter is not part of snapshots: the
//! embedder sets the quota again after a restore, which measures afresh.

use std::collections::HashSet;
use std::mem::size_of;
use std::rc::Rc;

use crate::bytecode::ByteCode;
use crate::error::Exception;
use crate::interp::Interp;
use crate::value::{DictMap, Rep, Value};
use crate::vars::Var;

/// What one instruction may allocate without a size check of its own (an
/// array element with its key and hash slot, a variable, a frame, one list
/// element with its share of the vector's growth), counted generously.
pub const BYTES_PER_INSTRUCTION: usize = 256;

/// Instructions run between two measurements at least (so an agent may
/// pass its quota by this many instructions' worth of small allocations).
const MIN_ALLOWANCE: usize = 64;

/// Bookkeeping per allocation (heap header, `Rc` counts, rounding).
const OVERHEAD: usize = 16;

/// The quota and the running estimate of an interpreter's bytes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Meter {
    /// The quota in bytes; none: no accounting.
    pub(crate) limit: Option<usize>,
    /// Bytes measured at the last walk plus those charged since.
    pub(crate) estimate: usize,
}

impl Interp {
    /// Sets the memory quota (none: unlimited) and measures the interpreter
    /// now. An interpreter already over it fails at its next charge.
    pub fn set_memory_limit(&mut self, limit: Option<usize>) {
        self.meter.limit = limit;
        self.meter.estimate = if limit.is_some() { footprint(self) } else { 0 };
    }

    /// The memory quota, if one is set.
    pub fn memory_limit(&self) -> Option<usize> {
        self.meter.limit
    }

    /// The bytes the interpreter holds now (a full walk; see the module
    /// documentation for what is counted).
    pub fn memory_used(&self) -> usize {
        footprint(self)
    }

    /// Counts `bytes` about to be allocated against the quota; over it
    /// (after measuring exactly), a `memory quota exceeded` error.
    pub fn charge_memory(&mut self, bytes: usize) -> Result<(), Exception> {
        let Some(limit) = self.meter.limit else { return Ok(()) };
        self.meter.estimate = self.meter.estimate.saturating_add(bytes);
        if self.meter.estimate <= limit {
            return Ok(());
        }
        let held = footprint(self);
        self.meter.estimate = held.saturating_add(bytes);
        if self.meter.estimate <= limit {
            return Ok(());
        }
        // Not charged: the allocation does not happen.
        self.meter.estimate = held;
        Err(quota_exceeded(held, bytes, limit))
    }

    /// Charges a command's result when it is a new value of some size:
    /// commands whose result size follows their arguments (`lrange`,
    /// `string range`, `lsort`...) are not checked before they build it, so
    /// a loop keeping such copies is stopped here, one value past its quota
    /// at most. A shared result (a variable's value) costs nothing new.
    pub(crate) fn charge_result(&mut self, v: &Value) -> Result<(), Exception> {
        if self.meter.limit.is_none() {
            return Ok(());
        }
        let Value::Obj(o) = v else { return Ok(()) };
        if Rc::strong_count(o) != 1 {
            return Ok(());
        }
        let (string, rep) = o.parts();
        let bytes = string.map_or(0, |s| s.capacity())
            + match &*rep {
                Rep::List(l) => l.capacity() * size_of::<Value>(),
                Rep::Dict(d) => d.capacity() * size_of::<(Value, Value)>(),
                _ => 0,
            };
        drop(rep);
        if bytes < BYTES_PER_INSTRUCTION {
            return Ok(());
        }
        self.charge_memory(bytes)
    }

    /// The limit check before building a string of `bytes` bytes, charging
    /// them to the memory quota.
    pub fn check_string(&mut self, bytes: usize) -> Result<(), Exception> {
        self.limits.check_string(bytes)?;
        self.charge_memory(bytes)
    }

    /// The limit check before building a list of `len` elements, charging
    /// them to the memory quota.
    pub fn check_list(&mut self, len: usize) -> Result<(), Exception> {
        self.limits.check_list(len)?;
        self.charge_memory(len.saturating_mul(size_of::<Value>()))
    }

    /// `check_string` for a string built piece by piece: `total` bytes so
    /// far, of which `added` are new (only those are charged).
    pub fn check_string_growth(&mut self, total: usize, added: usize) -> Result<(), Exception> {
        self.limits.check_string(total)?;
        self.charge_memory(added)
    }

    /// `check_list` for a list built piece by piece (`added` new elements).
    pub fn check_list_growth(&mut self, total: usize, added: usize) -> Result<(), Exception> {
        self.limits.check_list(total)?;
        self.charge_memory(added.saturating_mul(size_of::<Value>()))
    }

    /// The size limits, with the string limit lowered to what the memory
    /// quota still allows: for code that checks `Limits` itself (`format`),
    /// which then charges what it built.
    pub fn limits_within_quota(&self) -> crate::interp::Limits {
        let mut limits = self.limits.clone();
        if let Some(limit) = self.meter.limit {
            limits.max_string_bytes = limits.max_string_bytes.min(limit.saturating_sub(self.meter.estimate));
        }
        limits
    }

    /// How many instructions `run` may hand the VM before the estimate
    /// must be checked again (`u64::MAX` without a quota). When the
    /// allowance is spent the interpreter is measured; over its quota, the
    /// error that stops it (see `run`).
    pub(crate) fn instruction_allowance(&mut self) -> Result<u64, Exception> {
        let Some(limit) = self.meter.limit else { return Ok(u64::MAX) };
        if self.meter.estimate.saturating_add(BYTES_PER_INSTRUCTION) > limit {
            let held = footprint(self);
            self.meter.estimate = held;
            if held > limit {
                return Err(quota_exceeded(held, 0, limit));
            }
        }
        // Near the quota, a few instructions at a time rather than a walk
        // per instruction.
        Ok((limit.saturating_sub(self.meter.estimate) / BYTES_PER_INSTRUCTION).max(MIN_ALLOWANCE) as u64)
    }

    /// Charges the instructions the VM ran.
    pub(crate) fn charge_instructions(&mut self, ran: u64) {
        if self.meter.limit.is_some() {
            let bytes = (ran as usize).saturating_mul(BYTES_PER_INSTRUCTION);
            self.meter.estimate = self.meter.estimate.saturating_add(bytes);
        }
    }
}

/// What appending `add` to a string may allocate, when more than an
/// instruction's share (the string form of a value that has one; numbers
/// are short).
pub(crate) fn append_bytes(add: Option<&Value>) -> usize {
    match add {
        Some(Value::Obj(o)) => match o.parts().0 {
            Some(s) if s.len() > BYTES_PER_INSTRUCTION => s.len(),
            // A list's string form is about as long as its elements'.
            None => match &*o.parts().1 {
                Rep::List(l) if l.len() > 8 => l.len() * 16,
                Rep::Dict(d) if d.len() > 4 => d.len() * 32,
                _ => 0,
            },
            _ => 0,
        },
        _ => 0,
    }
}

fn quota_exceeded(held: usize, wanted: usize, limit: usize) -> Exception {
    Exception::error_code(
        match wanted {
            0 => format!("memory quota exceeded: the agent holds {held} bytes, more than its quota of {limit}"),
            _ => format!(
                "memory quota exceeded: the agent holds {held} bytes, {wanted} more would pass its quota of {limit}"
            ),
        },
        &["TCL", "MEMORY", "QUOTA"],
    )
}

/// The bytes `interp` holds (see the module documentation).
pub(crate) fn footprint(interp: &Interp) -> usize {
    let mut w = Walker::default();
    w.total += size_of::<Interp>();
    for f in &interp.vars.frames {
        w.total += size_of_val(f) + f.vars.capacity() * size_of::<Var>();
        for v in &f.vars {
            match v {
                Var::Scalar(v) => w.value(v),
                Var::Array(a) => {
                    w.total += a.capacity() * (size_of::<(Rc<str>, Value)>() + 2 * size_of::<usize>()) + OVERHEAD;
                    for (k, v) in a.iter() {
                        w.total += k.len() + OVERHEAD;
                        w.value(v);
                    }
                }
                Var::Link(l) => w.total += l.elem.as_ref().map_or(0, |e| e.len() + OVERHEAD),
                Var::Undefined => {}
            }
        }
        w.total += f.dynamic.capacity() * (size_of::<(Rc<str>, u32)>() + 1);
        for k in f.dynamic.keys() {
            w.total += k.len() + OVERHEAD;
        }
        w.total += f.objv.capacity() * size_of::<Value>();
        for v in &f.objv {
            w.value(v);
        }
        if let Some(code) = &f.code {
            w.bytecode(code);
        }
    }
    w.total += interp.frames.capacity() * size_of::<crate::interp::CodeFrame>();
    for f in &interp.frames {
        w.bytecode(&f.code);
        if let crate::interp::FrameKind::Lambda { lambda } = &f.kind {
            w.value(lambda);
        }
        if let Some(sort) = &f.sort {
            w.total += size_of_val(&**sort) + sort.answers.capacity() * size_of::<i32>();
            for v in &sort.args {
                w.value(v);
            }
        }
    }
    w.total += interp.stack.capacity() * size_of::<Value>();
    for v in &interp.stack {
        w.value(v);
    }
    for p in interp.commands.own_procs() {
        w.proc(p);
    }
    for (k, p) in &interp.lambda_cache {
        w.total += k.capacity() + OVERHEAD;
        w.proc(p);
    }
    w.drain();
    w.total
}

/// A walk over values with a work list (nesting never recurses on the
/// Rust stack) that counts every shared allocation once.
#[derive(Default)]
struct Walker {
    total: usize,
    /// Addresses of shared allocations already counted.
    seen: HashSet<usize>,
    lists: Vec<Rc<Vec<Value>>>,
    dicts: Vec<Rc<DictMap>>,
}

impl Walker {
    /// First sight of an allocation with `count` owners at `addr`? Unshared
    /// ones need no set: nothing else can lead to them.
    fn first_sight(&mut self, count: usize, addr: usize) -> bool {
        count == 1 || self.seen.insert(addr)
    }

    /// Counts what a value holds beyond its own slot.
    fn value(&mut self, v: &Value) {
        let Value::Obj(o) = v else { return };
        if !self.first_sight(Rc::strong_count(o), Rc::as_ptr(o) as usize) {
            return;
        }
        let (string, rep) = o.parts();
        self.total += size_of::<crate::value::Obj>() + OVERHEAD + string.map_or(0, |s| s.capacity());
        match &*rep {
            Rep::List(l) => {
                if self.first_sight(Rc::strong_count(l), Rc::as_ptr(l) as usize) {
                    self.total += l.capacity() * size_of::<Value>() + OVERHEAD;
                    self.lists.push(l.clone());
                }
            }
            Rep::Dict(d) => {
                if self.first_sight(Rc::strong_count(d), Rc::as_ptr(d) as usize) {
                    self.total += d.capacity() * (size_of::<(Value, Value)>() + 3 * size_of::<usize>()) + OVERHEAD;
                    self.dicts.push(d.clone());
                }
            }
            Rep::Big(b) => {
                if self.first_sight(Rc::strong_count(b), Rc::as_ptr(b) as usize) {
                    self.total += (b.bits() as usize).div_ceil(8) + size_of::<num_bigint::BigInt>() + OVERHEAD;
                }
            }
            Rep::Script(code) | Rep::Expr(code) => {
                let code = code.clone();
                drop(rep);
                self.bytecode(&code);
            }
            Rep::None | Rep::Int(_) | Rep::Double(_) => {}
        }
    }

    fn proc(&mut self, p: &Rc<crate::commands::Proc>) {
        if !self.first_sight(Rc::strong_count(p), Rc::as_ptr(p) as usize) {
            return;
        }
        self.total += size_of::<crate::commands::Proc>() + OVERHEAD + p.name.len();
        for (name, default) in &p.args {
            self.total += name.len() + OVERHEAD + size_of::<(Rc<str>, Option<Value>)>();
            if let Some(d) = default {
                self.value(d);
            }
        }
        self.value(&p.args_value);
        self.value(&p.body);
        if let Some(code) = p.compiled.borrow().as_ref() {
            self.bytecode(code);
        }
    }

    fn bytecode(&mut self, code: &Rc<ByteCode>) {
        if !self.first_sight(Rc::strong_count(code), Rc::as_ptr(code) as usize) {
            return;
        }
        self.total += size_of::<ByteCode>()
            + OVERHEAD
            + code.code.len() * size_of::<crate::bytecode::Instr>()
            // Aux entries own small tables (jump tables, variable lists):
            // counted at twice their slot.
            + code.aux.len() * 2 * size_of::<crate::bytecode::Aux>()
            + code.ranges.len() * size_of::<crate::bytecode::ExceptRange>()
            + code.cmds.len() * size_of::<crate::bytecode::CmdLoc>()
            + code.literals.capacity() * size_of::<Value>()
            + code.source.len();
        for l in &code.locals {
            self.total += l.len() + OVERHEAD + size_of::<Rc<str>>();
        }
        for v in &code.literals {
            self.value(v);
        }
    }

    /// Walks the nested lists and dicts found so far.
    fn drain(&mut self) {
        loop {
            if let Some(l) = self.lists.pop() {
                for v in l.iter() {
                    self.value(v);
                }
            } else if let Some(d) = self.dicts.pop() {
                for (k, v) in d.iter() {
                    self.value(k.value());
                    self.value(v);
                }
            } else {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
