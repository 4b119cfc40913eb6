//! The virtual machine: runs code frames instruction by instruction with an
//! explicit operand stack, never recursing on the Rust stack for Tcl-level
//! calls, and stops at any instruction when the budget runs out or a host
//! command suspends it.
//!
//! Errors may be raised by any instruction that converts values, touches
//! variables, invokes a command or evaluates code; they unwind through the
//! exception ranges of each frame (see `raise`).

use std::rc::Rc;

use crate::bytecode::{Aux, ByteCode, CodeKind, Instr, RangeKind, SwitchMode, TryMatch, VarAddr, VarOp};
use crate::commands::{Command, Proc};
use crate::compile::{self, Mode};
use crate::error::{Exception, TCL_BREAK, TCL_CONTINUE, TCL_ERROR, TCL_OK, TCL_RETURN};
use crate::interp::{CodeFrame, ErrorReport, FrameKind, HostResult, Interp, Outcome};
use crate::ops;
use crate::parser::line_at;
use crate::value::{list_make_mut, Value};
use crate::vars::{split_name, Var, VarFrame};

/// Longest command text quoted in errorInfo, as Tcl.
const ERRORINFO_CMD_LIMIT: usize = 150;

/// What the dispatch loop does after an instruction that changes frames.
enum Flow {
    /// Keep running the (possibly new) top frame.
    Continue,
    /// Stop and report this outcome.
    Stop(Outcome),
}

impl Interp {
    /// Runs for at most `budget` instructions. With a memory quota, the VM
    /// is given the instructions the remaining allowance covers at a time
    /// (see `memory.rs`).
    pub fn run(&mut self, budget: u64) -> Outcome {
        let mut left = budget;
        let out = loop {
            // Over its memory quota after small allocations the agent is
            // stopped (a `catch` could not free memory without allocating).
            let allowance = match self.instruction_allowance() {
                Ok(n) => n,
                Err(e) => break self.abort(e),
            };
            let slice = left.min(allowance);
            let mut slice_left = slice;
            let out = self.run_vm(&mut slice_left);
            let ran = slice - slice_left;
            left -= ran;
            self.charge_instructions(ran);
            match out {
                Outcome::OutOfBudget if left > 0 => continue,
                out => break out,
            }
        };
        self.instructions_run += budget - left;
        out
    }

    /// Stops the evaluation with an error no script can catch: the VM is
    /// left idle.
    fn abort(&mut self, e: Exception) -> Outcome {
        let message = e.value().as_str().into_owned();
        let error_code = e.error_code_value().as_str().into_owned();
        self.frames.clear();
        self.stack.clear();
        self.vars.frames.truncate(1);
        self.nesting = 0;
        self.pending = None;
        self.raise_pending = None;
        Outcome::Error(ErrorReport { error_info: message.clone(), message, error_code })
    }

    /// Instructions run since the interpreter was made (or restored).
    pub fn instructions_run(&self) -> u64 {
        self.instructions_run
    }

    /// Runs the VM for at most `*budget` instructions, leaving in it the
    /// instructions not used.
    fn run_vm(&mut self, budget_left: &mut u64) -> Outcome {
        if let Some(req) = &self.pending {
            return Outcome::Request((**req).clone());
        }
        if let Some(ex) = self.raise_pending.take() {
            if let Some(out) = self.raise(ex) {
                return out;
            }
        }
        let mut budget = *budget_left;
        loop {
            let Some(frame) = self.frames.last() else {
                *budget_left = budget;
                return Outcome::Finished(String::new());
            };
            let code = frame.code.clone();
            let mut pc = frame.pc as usize;
            let vf = frame.var_frame;
            let base = frame.base as usize;
            let flow = loop {
                if budget == 0 {
                    self.save_pc(pc);
                    *budget_left = 0;
                    return Outcome::OutOfBudget;
                }
                budget -= 1;
                let Some(&instr) = code.code.get(pc) else {
                    self.save_pc(pc + 1);
                    break self.raise_flow(Exception::error("bytecode error: pc out of range"));
                };
                pc += 1;
                let r: Result<(), Exception> = match instr {
                    Instr::Push(l) => match code.literals.get(l as usize) {
                        Some(v) => {
                            self.stack.push(v.clone());
                            Ok(())
                        }
                        None => Err(bad_operand()),
                    },
                    Instr::Pop => {
                        self.stack.pop();
                        Ok(())
                    }
                    Instr::Dup => match self.stack.last() {
                        Some(v) => {
                            let v = v.clone();
                            self.stack.push(v);
                            Ok(())
                        }
                        None => Err(bad_operand()),
                    },
                    Instr::Swap => {
                        let n = self.stack.len();
                        if n < 2 {
                            Err(bad_operand())
                        } else {
                            self.stack.swap(n - 1, n - 2);
                            Ok(())
                        }
                    }
                    Instr::Over(k) => match self.peek(k as usize) {
                        Some(v) => {
                            self.stack.push(v);
                            Ok(())
                        }
                        None => Err(bad_operand()),
                    },
                    Instr::Nip(k) => match self.stack.pop() {
                        Some(top) => {
                            let keep = self.stack.len().saturating_sub(k as usize);
                            self.stack.truncate(keep);
                            self.stack.push(top);
                            Ok(())
                        }
                        None => Err(bad_operand()),
                    },
                    Instr::Concat(n) => self.concat(n as usize),
                    Instr::ConcatWords(n) => self.concat_words(n as usize),
                    Instr::List(n) => {
                        let n = n as usize;
                        if n > self.stack.len() {
                            Err(bad_operand())
                        } else {
                            let items = self.stack.split_off(self.stack.len() - n);
                            self.stack.push(Value::list(items));
                            Ok(())
                        }
                    }
                    Instr::ListAppend => self.list_append(false),
                    Instr::ListConcat => self.list_append(true),
                    Instr::LoadLocal(s) => self.load_local(vf, s, &code),
                    Instr::StoreLocal(s) => self.store_local(vf, s, &code),
                    Instr::IncrLocal(s, n) => match self.vars.var_mut(vf, s) {
                        Some(Var::Scalar(Value::Int(i))) if i.checked_add(n as i64).is_some() => {
                            *i += n as i64;
                            let v = Value::Int(*i);
                            self.stack.push(v);
                            Ok(())
                        }
                        _ => self.var_instr(vf, &code, VarOp::IncrImm(n), VarAddr::Slot(s), false),
                    },
                    Instr::Var { op: VarOp::Incr, addr: VarAddr::Slot(slot), elem: false } => {
                        // Fast path: integer local plus integer operand.
                        let n = self.stack.len();
                        let done = match (
                            self.stack.last(),
                            self.vars.frames.get_mut(vf as usize).and_then(|f| f.vars.get_mut(slot as usize)),
                        ) {
                            (Some(Value::Int(add)), Some(Var::Scalar(Value::Int(cur)))) => {
                                match cur.checked_add(*add) {
                                    Some(sum) => {
                                        *cur = sum;
                                        true
                                    }
                                    None => false,
                                }
                            }
                            _ => false,
                        };
                        if done {
                            if let Some(Var::Scalar(v)) = self.vars.var(vf, slot) {
                                self.stack[n - 1] = v.clone();
                            }
                            Ok(())
                        } else {
                            self.var_instr(vf, &code, VarOp::Incr, VarAddr::Slot(slot), false)
                        }
                    }
                    Instr::Var { op, addr, elem } => self.var_instr(vf, &code, op, addr, elem),
                    Instr::Invoke(n) => {
                        self.save_pc(pc);
                        let depth = self.frames.len();
                        match self.invoke(n as usize, vf) {
                            Ok(Flow::Continue) => {
                                if self.frames.len() == depth {
                                    // A native command: same frame goes on.
                                    continue;
                                }
                                break Flow::Continue;
                            }
                            Ok(stop) => break stop,
                            Err(e) => break self.raise_flow(e),
                        }
                    }
                    Instr::InvokeList => {
                        self.save_pc(pc);
                        let r = match self.stack.pop() {
                            Some(l) => match l.as_list() {
                                Ok(items) if !items.is_empty() => {
                                    let n = items.len();
                                    self.stack.extend(items.iter().cloned());
                                    self.invoke(n, vf)
                                }
                                Ok(_) => {
                                    self.stack.push(Value::empty());
                                    Ok(Flow::Continue)
                                }
                                Err(e) => Err(e),
                            },
                            None => Err(bad_operand()),
                        };
                        match r {
                            Ok(flow) => break flow,
                            Err(e) => break self.raise_flow(e),
                        }
                    }
                    Instr::EvalBody(ann) => {
                        self.save_pc(pc);
                        let annotation = code.literals.get(ann as usize).cloned();
                        let r = match self.stack.pop() {
                            Some(script) => self.push_body(&script, vf, FrameKind::Body { annotation }),
                            None => Err(bad_operand()),
                        };
                        match r {
                            Ok(()) => break Flow::Continue,
                            Err(e) => break self.raise_flow(e),
                        }
                    }
                    Instr::Uplevel(n) => {
                        self.save_pc(pc);
                        match self.uplevel(n as usize, vf) {
                            Ok(()) => break Flow::Continue,
                            Err(e) => break self.raise_flow(e),
                        }
                    }
                    Instr::ExprStk => {
                        self.save_pc(pc);
                        let r = match self.stack.pop() {
                            Some(e) => self.push_expr(&e, vf),
                            None => Err(bad_operand()),
                        };
                        match r {
                            Ok(()) => break Flow::Continue,
                            Err(e) => break self.raise_flow(e),
                        }
                    }
                    Instr::Subst(flags) => {
                        self.save_pc(pc);
                        let r = match self.stack.pop() {
                            Some(s) => {
                                let mode = self.mode_for(vf);
                                let bc = compile::compile_subst(
                                    &self.commands,
                                    &s.as_str(),
                                    mode,
                                    flags & 1 == 0,
                                    flags & 2 == 0,
                                    flags & 4 == 0,
                                );
                                self.push_frame(Rc::new(bc), vf, FrameKind::Body { annotation: None })
                            }
                            None => Err(bad_operand()),
                        };
                        match r {
                            Ok(()) => break Flow::Continue,
                            Err(e) => break self.raise_flow(e),
                        }
                    }
                    Instr::Binary(op) => {
                        let n = self.stack.len();
                        if n < 2 {
                            Err(bad_operand())
                        } else {
                            let r = match (&self.stack[n - 2], &self.stack[n - 1]) {
                                (Value::Int(a), Value::Int(b)) => fast_int_op(op, *a, *b),
                                _ => None,
                            };
                            let r = match r {
                                Some(v) => Ok(v),
                                None => ops::binary(op, &self.stack[n - 2], &self.stack[n - 1]),
                            };
                            match r {
                                Ok(v) => {
                                    self.stack.truncate(n - 2);
                                    self.stack.push(v);
                                    Ok(())
                                }
                                Err(e) => Err(e),
                            }
                        }
                    }
                    Instr::Unary(op) => match self.stack.pop() {
                        Some(a) => match ops::unary(op, &a) {
                            Ok(v) => {
                                self.stack.push(v);
                                Ok(())
                            }
                            Err(e) => Err(e),
                        },
                        None => Err(bad_operand()),
                    },
                    Instr::MathFunc(name, n) => self.math_func(&code, name, n as usize),
                    Instr::ToNumeric => match self.stack.pop() {
                        Some(v) => match ops::to_numeric_result(v) {
                            Ok(v) => {
                                self.stack.push(v);
                                Ok(())
                            }
                            Err(e) => Err(e),
                        },
                        None => Err(bad_operand()),
                    },
                    Instr::ToBool => match self.stack.pop() {
                        Some(v) => match ops::truth(&v) {
                            Ok(b) => {
                                self.stack.push(Value::bool(b));
                                Ok(())
                            }
                            Err(e) => Err(e),
                        },
                        None => Err(bad_operand()),
                    },
                    Instr::Jump(t) => {
                        // Only a backward jump can make the stack grow
                        // without bound (corrupt code); check there.
                        if (t as usize) < pc && self.stack.len() > self.limits.max_stack {
                            Err(Exception::error("operand stack limit exceeded"))
                        } else {
                            pc = t as usize;
                            Ok(())
                        }
                    }
                    Instr::JumpTrue(t) | Instr::JumpFalse(t) => match self.stack.pop() {
                        Some(_) if (t as usize) < pc && self.stack.len() > self.limits.max_stack => {
                            Err(Exception::error("operand stack limit exceeded"))
                        }
                        Some(v) => {
                            let b = match v {
                                Value::Int(i) => Ok(i != 0),
                                _ => ops::truth(&v),
                            };
                            match b {
                                Ok(b) => {
                                    if b == matches!(instr, Instr::JumpTrue(_)) {
                                        pc = t as usize;
                                    }
                                    Ok(())
                                }
                                Err(e) => Err(e),
                            }
                        }
                        None => Err(bad_operand()),
                    },
                    Instr::ForeachStart(aux) => self.foreach_start(&code, aux),
                    Instr::ForeachStep(aux, exit) => match self.foreach_step(&code, aux, vf) {
                        Ok(true) => Ok(()),
                        Ok(false) => {
                            pc = exit as usize;
                            Ok(())
                        }
                        Err(e) => Err(e),
                    },
                    Instr::ForeachEnd(aux) => {
                        let n = foreach_list_count(&code, aux);
                        let keep = self.stack.len().saturating_sub(n + 1);
                        self.stack.truncate(keep);
                        Ok(())
                    }
                    Instr::LmapCollect(aux) => {
                        let n = foreach_list_count(&code, aux);
                        match self.stack.pop() {
                            Some(v) => {
                                let len = self.stack.len();
                                if len < n + 2 {
                                    Err(bad_operand())
                                } else {
                                    match list_make_mut(&mut self.stack[len - n - 2]) {
                                        Ok(l) => {
                                            l.push(v);
                                            Ok(())
                                        }
                                        Err(e) => Err(e),
                                    }
                                }
                            }
                            None => Err(bad_operand()),
                        }
                    }
                    Instr::CountDown(t) => match self.stack.last_mut() {
                        Some(Value::Int(i)) => {
                            if *i <= 0 {
                                pc = t as usize;
                            } else {
                                *i -= 1;
                            }
                            Ok(())
                        }
                        _ => Err(bad_operand()),
                    },
                    Instr::Rethrow => {
                        let code_v = self.stack.pop();
                        let opts = self.stack.pop();
                        let result = self.stack.pop();
                        match (code_v, opts, result) {
                            (Some(_), Some(opts), Some(result)) => {
                                match crate::cmds::core::exception_from_options(result, &opts) {
                                    Ok(ex) | Err(ex) => Err(ex),
                                }
                            }
                            _ => Err(bad_operand()),
                        }
                    }
                    Instr::RethrowDuring => self.rethrow_during(),
                    Instr::ReturnStk => {
                        let result = self.stack.pop();
                        let opts = self.stack.pop();
                        match (opts, result) {
                            (Some(opts), Some(result)) => {
                                match crate::cmds::core::exception_from_options(result, &opts) {
                                    Ok(ex) | Err(ex) => Err(ex),
                                }
                            }
                            _ => Err(bad_operand()),
                        }
                    }
                    Instr::SwitchMatch(aux) => self.switch_match(&code, aux, vf),
                    Instr::JumpTable(aux) => match (self.stack.pop(), code.aux.get(aux as usize)) {
                        (Some(Value::Int(i)), Some(Aux::JumpTable(t))) => match t.get(i as usize) {
                            Some(&target) => {
                                pc = target as usize;
                                Ok(())
                            }
                            None => Err(bad_operand()),
                        },
                        _ => Err(bad_operand()),
                    },
                    Instr::TryDispatch(aux) => match self.try_dispatch(&code, aux) {
                        Ok(target) => {
                            pc = target as usize;
                            Ok(())
                        }
                        Err(e) => Err(e),
                    },
                    Instr::TimeStart => {
                        let count = self.stack.last().map(|v| v.as_int());
                        match count {
                            Some(Ok(c)) => {
                                let n = self.stack.len();
                                self.stack[n - 1] = Value::Int(c);
                                self.stack.push(Value::Int(now_micros()));
                                Ok(())
                            }
                            Some(Err(e)) => Err(e),
                            None => Err(bad_operand()),
                        }
                    }
                    Instr::TimeEnd => {
                        self.stack.pop();
                        let start = self.stack.pop();
                        let count = self.stack.pop();
                        match (start, count) {
                            (Some(Value::Int(start)), Some(Value::Int(count))) => {
                                let total = (now_micros() - start).max(0);
                                let per = if count <= 1 {
                                    if count <= 0 {
                                        "0".to_owned()
                                    } else {
                                        total.to_string()
                                    }
                                } else {
                                    crate::number::format_double(total as f64 / count as f64)
                                };
                                self.stack.push(Value::from(format!("{per} microseconds per iteration")));
                                Ok(())
                            }
                            _ => Err(bad_operand()),
                        }
                    }
                    Instr::SortStep(done) => match self.sort_step() {
                        Ok(true) => Ok(()),
                        Ok(false) => {
                            pc = done as usize;
                            Ok(())
                        }
                        Err(e) => Err(e),
                    },
                    Instr::SortAnswer => self.sort_answer(),
                    Instr::DictPairs => self.dict_pairs(),
                    Instr::ListToDict => self.list_to_dict(),
                    Instr::LmapCollectPair(aux) => self.lmap_collect_pair(foreach_list_count(&code, aux)),
                    Instr::DictWithStart(n) => self.dict_with_start(n as usize),
                    Instr::DictWithEnd => self.dict_with_end(),
                    Instr::DictUpdateStart(n) => self.dict_update_start(n as usize),
                    Instr::DictUpdateEnd => self.dict_update_end(),
                    Instr::RaiseArith(m, c) => {
                        let msg = code.literals.get(m as usize).cloned().unwrap_or_default();
                        let mut e = Exception::new(TCL_ERROR, msg);
                        e.0.error_code = code.literals.get(c as usize).cloned();
                        Err(arith_error(e))
                    }
                    Instr::SyntaxError(l) => {
                        let msg = code.literals.get(l as usize).cloned().unwrap_or_default();
                        Err(Exception::new(TCL_ERROR, msg))
                    }
                    Instr::Done => {
                        self.save_pc(pc);
                        break self.finish_frame(base);
                    }
                };
                if let Err(e) = r {
                    self.save_pc(pc);
                    break self.raise_flow(e);
                }
            };
            if let Flow::Stop(out) = flow {
                *budget_left = budget;
                return out;
            }
        }
    }

    fn save_pc(&mut self, pc: usize) {
        if let Some(f) = self.frames.last_mut() {
            f.pc = pc as u32;
        }
    }

    fn peek(&self, k: usize) -> Option<Value> {
        let n = self.stack.len();
        if k >= n {
            return None;
        }
        Some(self.stack[n - 1 - k].clone())
    }

    fn raise_flow(&mut self, e: Exception) -> Flow {
        match self.raise(e) {
            Some(out) => Flow::Stop(out),
            None => Flow::Continue,
        }
    }

    /// The top frame finished normally: pass its result to the caller.
    fn finish_frame(&mut self, base: usize) -> Flow {
        let result = self.stack.pop().unwrap_or_default();
        self.stack.truncate(base);
        let Some(frame) = self.frames.pop() else {
            return Flow::Stop(Outcome::Finished(result.into_string()));
        };
        self.leave_frame(&frame);
        if self.frames.is_empty() {
            return Flow::Stop(Outcome::Finished(result.into_string()));
        }
        self.stack.push(result);
        Flow::Continue
    }

    /// Bookkeeping when a frame is popped (normally or by unwinding).
    fn leave_frame(&mut self, frame: &CodeFrame) {
        if frame.kind.counts_as_level() {
            self.nesting = self.nesting.saturating_sub(1);
        }
        if matches!(frame.kind, FrameKind::Proc { .. } | FrameKind::Lambda { .. }) && self.vars.frames.len() > 1 {
            self.vars.frames.pop();
        }
    }

    // ----- frames --------------------------------------------------------

    /// Compile mode for code evaluated in variable frame `vf`.
    fn mode_for(&self, vf: u32) -> Mode {
        let in_proc = self.vars.frames.get(vf as usize).is_some_and(|f| f.code.is_some());
        Mode { proc_body: false, in_proc, direct: false }
    }

    pub(crate) fn push_frame(&mut self, code: Rc<ByteCode>, vf: u32, kind: FrameKind) -> Result<(), Exception> {
        if kind.counts_as_level() {
            if self.nesting >= self.limits.max_nesting {
                return Err(Exception::error_code(
                    "too many nested evaluations (infinite loop?)",
                    &["TCL", "LIMIT", "STACK"],
                ));
            }
            self.nesting += 1;
        }
        let base = self.stack.len() as u32;
        self.frames.push(CodeFrame { code, pc: 0, base, var_frame: vf, kind, sort: None });
        Ok(())
    }

    /// Compiled form of a script value (cached on the value).
    fn script_code(&mut self, script: &Value, vf: u32) -> Rc<ByteCode> {
        let mode = self.mode_for(vf);
        if let Some(c) = script.cached_script() {
            if c.compile_epoch == self.commands.compile_epoch && c.in_proc == mode.in_proc {
                return c;
            }
        }
        let c = Rc::new(crate::script_cache::compile_cached(&self.commands, &script.as_str(), mode));
        script.cache_script(c.clone());
        c
    }

    fn push_body(&mut self, script: &Value, vf: u32, kind: FrameKind) -> Result<(), Exception> {
        let code = self.script_code(script, vf);
        self.push_frame(code, vf, kind)
    }

    /// `push_body` for the embedding API (`Interp::resume_eval`).
    pub(crate) fn push_script_frame(&mut self, script: &Value, vf: u32, kind: FrameKind) -> Result<(), Exception> {
        self.push_body(script, vf, kind)
    }

    fn push_expr(&mut self, e: &Value, vf: u32) -> Result<(), Exception> {
        let mode = self.mode_for(vf);
        let code = match e.cached_expr() {
            Some(c) if c.compile_epoch == self.commands.compile_epoch && c.in_proc == mode.in_proc => c,
            _ => {
                let c = Rc::new(compile::compile_expr(&self.commands, &e.as_str(), mode));
                e.cache_expr(c.clone());
                c
            }
        };
        self.push_frame(code, vf, FrameKind::Expr)
    }

    /// The variable frame at `level` as `upvar`/`uplevel` understand it,
    /// starting from frame `vf`.
    pub(crate) fn frame_at_level(&self, vf: u32, level: &str) -> Result<u32, Exception> {
        let current = self.vars.frames.get(vf as usize).map(|f| f.level).unwrap_or(0) as i64;
        let target = if let Some(abs) = level.strip_prefix('#') {
            abs.parse::<i64>().ok()
        } else {
            level.parse::<i64>().ok().filter(|n| *n >= 0).map(|n| current - n)
        };
        let bad = || Exception::error_code(format!("bad level \"{level}\""), &["TCL", "LOOKUP", "LEVEL", level]);
        let target = target.filter(|t| *t >= 0).ok_or_else(bad)?;
        let mut f = vf;
        for _ in 0..=self.vars.frames.len() {
            let frame = self.vars.frames.get(f as usize).ok_or_else(bad)?;
            if frame.level as i64 == target {
                return Ok(f);
            }
            if f == 0 {
                break;
            }
            f = frame.caller;
        }
        Err(bad())
    }

    fn uplevel(&mut self, n: usize, vf: u32) -> Result<(), Exception> {
        if n == 0 || n > self.stack.len() {
            return Err(bad_operand());
        }
        let mut words = self.stack.split_off(self.stack.len() - n);
        let mut level = "1".to_owned();
        if words.len() > 1 {
            let first = words[0].as_str().into_owned();
            let looks_like_level = first.starts_with('#') || first.parse::<i64>().is_ok();
            if looks_like_level {
                level = first;
                words.remove(0);
            }
        }
        let target = self.frame_at_level(vf, &level)?;
        if words.is_empty() {
            return Err(Exception::wrong_args(&[Value::from("uplevel")], 1, "?level? command ?arg ...?"));
        }
        let script = if words.len() == 1 {
            words.pop().unwrap_or_default()
        } else {
            Value::from(crate::cmds::list::concat_values(&words))
        };
        let annotation = Some(Value::from("(\"uplevel\" body line %d)"));
        self.push_body(&script, target, FrameKind::Body { annotation })
    }

    // ----- commands ------------------------------------------------------

    /// Invokes the command whose `n` words are on top of the stack.
    fn invoke(&mut self, n: usize, vf: u32) -> Result<Flow, Exception> {
        let len = self.stack.len();
        if n == 0 || n > len {
            return Err(bad_operand());
        }
        let cmd = {
            let name = self.stack[len - n].as_str();
            match self.commands.resolve(&name) {
                // A shared host command that no closure of this interpreter
                // overrides: called without cloning its entry.
                Some((_, Some(f))) if self.host.is_empty() => {
                    drop(name);
                    let words = self.stack.split_off(len - n);
                    let r = f(self, &words);
                    return self.host_result(r);
                }
                Some((c, _)) => c.clone(),
                None => {
                    let name = name.into_owned();
                    self.stack.truncate(len - n);
                    return Err(Exception::error_code(
                        format!("invalid command name \"{name}\""),
                        &["TCL", "LOOKUP", "COMMAND", &name],
                    ));
                }
            }
        };
        match cmd {
            Command::Proc(p) => {
                self.call_proc(&p, n, vf)?;
                Ok(Flow::Continue)
            }
            Command::Builtin(def) => {
                let words = self.stack.split_off(len - n);
                if let Some(native) = def.native {
                    let depth = self.frames.len();
                    let v = native(self, &words)?;
                    self.charge_result(&v)?;
                    if self.frames.len() == depth {
                        self.stack.push(v);
                    }
                    return Ok(Flow::Continue);
                }
                match def.compile {
                    Some(compile) => {
                        let in_proc = self.mode_for(vf).in_proc;
                        let code = compile::compile_synthetic(&self.commands, &words, compile, in_proc)?;
                        self.push_frame(Rc::new(code), vf, FrameKind::Synthetic)?;
                        Ok(Flow::Continue)
                    }
                    None => Err(Exception::error(format!("command \"{}\" has no implementation", def.name))),
                }
            }
            Command::Host(name) => {
                let words = self.stack.split_off(len - n);
                // A closure registered on this interpreter, else the shared
                // table's function.
                let r = match self.host.get_mut(&*name).and_then(Option::take) {
                    Some(mut f) => {
                        let r = f(self, &words);
                        match self.host.get_mut(&*name) {
                            Some(slot) => *slot = Some(f),
                            None => {
                                self.host.insert(name.as_ref().into(), Some(f));
                            }
                        }
                        r
                    }
                    None => match self.commands.hosts().and_then(|h| h.function(&name)) {
                        Some(f) => f(self, &words),
                        None => return Err(Exception::error(format!("host command \"{name}\" is not available here"))),
                    },
                };
                self.host_result(r)
            }
        }
    }

    /// What a host command's answer does to the evaluation.
    fn host_result(&mut self, r: HostResult) -> Result<Flow, Exception> {
        match r {
            HostResult::Done(v) => {
                self.charge_result(&v)?;
                self.stack.push(v);
                Ok(Flow::Continue)
            }
            HostResult::Error(e) => Err(e),
            HostResult::Suspend(req) => {
                self.pending = Some(Box::new(req.clone()));
                Ok(Flow::Stop(Outcome::Request(req)))
            }
        }
    }

    /// Calls a proc with its `n` words on the stack.
    pub(crate) fn call_proc(&mut self, p: &Rc<Proc>, n: usize, vf: u32) -> Result<(), Exception> {
        let words = self.stack.split_off(self.stack.len() - n);
        self.enter_body(p, words, vf, FrameKind::Proc { name: p.name.clone() })
    }

    /// Binds `words` to the parameters of `p` in a new variable frame and
    /// starts its body (a proc call or `apply`).
    fn enter_body(&mut self, p: &Proc, words: Vec<Value>, vf: u32, kind: FrameKind) -> Result<(), Exception> {
        let code = self.proc_code(p);
        let vars = bind_args(&p.args, &words, code.locals.len())?;
        let level = self.vars.frames.get(vf as usize).map(|f| f.level).unwrap_or(0) + 1;
        self.vars.frames.push(VarFrame {
            vars,
            dynamic: Default::default(),
            code: Some(code.clone()),
            level,
            caller: vf,
            objv: words,
        });
        let new_vf = self.vars.frames.len() as u32 - 1;
        if let Err(e) = self.push_frame(code, new_vf, kind) {
            self.vars.frames.pop();
            return Err(e);
        }
        Ok(())
    }

    /// The compiled body of a proc, compiling it when stale.
    pub(crate) fn proc_code(&mut self, p: &Proc) -> Rc<ByteCode> {
        if let Some(c) = &*p.compiled.borrow() {
            if c.compile_epoch == self.commands.compile_epoch {
                return c.clone();
            }
        }
        let names: Vec<Rc<str>> = p.args.iter().map(|(n, _)| n.clone()).collect();
        let code = Rc::new(compile::compile_proc_body(&self.commands, &p.body.as_str(), &names));
        *p.compiled.borrow_mut() = Some(code.clone());
        code
    }

    /// Starts `apply`: a lambda called like a proc.
    pub(crate) fn call_lambda(
        &mut self,
        lambda: Value,
        p: Rc<Proc>,
        words: Vec<Value>,
        vf: u32,
    ) -> Result<(), Exception> {
        self.enter_body(&p, words, vf, FrameKind::Lambda { lambda })
    }

    // ----- unwinding -----------------------------------------------------

    /// Unwinds `ex` from the top frame to the nearest handler. Returns an
    /// outcome when it leaves the outermost frame.
    pub(crate) fn raise(&mut self, mut ex: Exception) -> Option<Outcome> {
        if ex.0.code == crate::error::TCL_EXIT {
            while let Some(frame) = self.frames.pop() {
                self.leave_frame(&frame);
            }
            self.stack.clear();
            let status = ex.0.value.as_int().unwrap_or(0) as i32;
            return Some(Outcome::Exit(status));
        }
        loop {
            let Some(frame) = self.frames.last() else {
                return Some(self.top_level_outcome(ex));
            };
            let pc = frame.pc.saturating_sub(1);
            let code = frame.code.clone();
            let base = frame.base as usize;
            let logs = !matches!(code.kind, CodeKind::Synthetic);
            let cmd_line = if ex.0.code == TCL_ERROR {
                code.command_at(pc).map(|c| line_at(&code.source, 0, c.src_start as usize))
            } else {
                None
            };
            let handler = code.handler_for(pc, ex.0.code).copied();
            if ex.0.code == TCL_ERROR && logs {
                let cmd = code.command_at(pc);
                // A catch in this frame stops the error before the command
                // that contains the catch itself is reached.
                let inside_handler = match (&handler, cmd) {
                    (Some(r), Some(c)) => c.pc_start >= r.start && c.pc_end <= r.end,
                    _ => true,
                };
                if ex.0.skip_log {
                    ex.0.skip_log = false;
                } else if let (Some(cmd), true) = (cmd, inside_handler) {
                    let text = code.source.get(cmd.src_start as usize..cmd.src_end as usize).unwrap_or("");
                    log_command(&mut ex, text);
                    // Like Tcl's interp->errorLine: set when a command is
                    // logged, stale otherwise (a trace given by `error`).
                    self.error_line = cmd_line.unwrap_or(1) as i64;
                }
                ex.0.error_line = self.error_line;
            }
            if let Some(range) = handler {
                self.stack.truncate(base + range.depth as usize);
                let target = match range.kind {
                    RangeKind::Loop { break_to, continue_to } => {
                        if ex.0.code == TCL_BREAK {
                            break_to
                        } else {
                            continue_to
                        }
                    }
                    RangeKind::Catch { handler } => {
                        if ex.0.code == TCL_ERROR {
                            self.record_error_globals(&ex);
                        }
                        let code_value = if ex.0.code == TCL_RETURN { TCL_RETURN } else { ex.0.code };
                        let opts = crate::cmds::core::options_dict(&ex);
                        self.stack.push(ex.0.value.clone());
                        self.stack.push(opts);
                        self.stack.push(Value::Int(code_value as i64));
                        handler
                    }
                };
                if let Some(f) = self.frames.last_mut() {
                    f.pc = target;
                }
                return None;
            }
            // Leave this frame. A complete trace given by `error` or
            // `return -errorinfo` only skips the frame that raised it.
            ex.0.skip_log = false;
            let Some(frame) = self.frames.pop() else {
                continue;
            };
            self.stack.truncate(base);
            self.leave_frame(&frame);
            let line = self.error_line;
            let mut converted_return = false;
            match &frame.kind {
                FrameKind::Proc { .. } | FrameKind::Lambda { .. } | FrameKind::Top { .. } => {
                    if ex.0.code == TCL_RETURN {
                        ex.0.level -= 1;
                        if ex.0.level <= 0 {
                            if ex.0.return_code == TCL_OK {
                                let v = ex.0.value.clone();
                                if self.frames.is_empty() {
                                    return Some(Outcome::Finished(v.into_string()));
                                }
                                self.stack.push(v);
                                return None;
                            }
                            ex.0.code = ex.0.return_code;
                            ex.0.return_code = TCL_OK;
                            // An error made by `return` gets no procedure
                            // line: it was not raised inside the body.
                            converted_return = true;
                        }
                    } else if ex.0.code == TCL_BREAK || ex.0.code == TCL_CONTINUE {
                        let word = if ex.0.code == TCL_BREAK { "break" } else { "continue" };
                        let mut e = Exception::error(format!("invoked \"{word}\" outside of a loop"));
                        e.0.error_code = Some(Value::from("TCL RESULT UNEXPECTED"));
                        if matches!(frame.kind, FrameKind::Top { .. }) {
                            // At top level tclsh logs the command itself.
                            if let Some(cmd) = frame.code.command_at(pc) {
                                self.error_line = line_at(&frame.code.source, 0, cmd.src_start as usize) as i64;
                            }
                            log_command_top(&mut e, &frame, pc);
                        } else {
                            e.0.error_info = e.0.value.as_str().into_owned();
                            e.0.info_started = true;
                        }
                        ex = e;
                    }
                    if ex.0.code == TCL_ERROR && !converted_return {
                        let ann = match &frame.kind {
                            FrameKind::Proc { name } => {
                                Some(format!("(procedure \"{}\" line {line})", ellipsize(name, 60)))
                            }
                            FrameKind::Lambda { lambda } => {
                                Some(format!("(lambda term \"{}\" line {line})", ellipsize(&lambda.as_str(), 60)))
                            }
                            FrameKind::Top { annotation: Some(a) } => {
                                Some(a.replace("%d", &self.error_line.to_string()))
                            }
                            _ => None,
                        };
                        if let Some(a) = ann {
                            ex.0.error_info.push_str("\n    ");
                            ex.0.error_info.push_str(&a);
                        }
                    }
                }
                FrameKind::Body { annotation: Some(a) } if ex.0.code == TCL_ERROR => {
                    ex.0.error_info.push_str("\n    ");
                    ex.0.error_info.push_str(&a.as_str().replace("%d", &line.to_string()));
                }
                _ => {}
            }
            if self.frames.is_empty() {
                return Some(self.top_level_outcome(ex));
            }
        }
    }

    fn top_level_outcome(&mut self, ex: Exception) -> Outcome {
        self.frames.clear();
        self.nesting = 0;
        match ex.0.code {
            TCL_ERROR => {
                self.record_error_globals(&ex);
                Outcome::Error(ErrorReport {
                    message: ex.0.value.as_str().into_owned(),
                    error_info: full_error_info(&ex),
                    error_code: ex.error_code_value().as_str().into_owned(),
                })
            }
            TCL_OK | TCL_RETURN => Outcome::Finished(ex.0.value.as_str().into_owned()),
            code => {
                let msg = match code {
                    TCL_BREAK => "invoked \"break\" outside of a loop".to_owned(),
                    TCL_CONTINUE => "invoked \"continue\" outside of a loop".to_owned(),
                    c => format!("command returned bad code: {c}"),
                };
                Outcome::Error(ErrorReport { message: msg.clone(), error_info: msg, error_code: "NONE".into() })
            }
        }
    }

    /// Sets `::errorInfo` and `::errorCode` for a caught or uncaught error.
    fn record_error_globals(&mut self, ex: &Exception) {
        let info = full_error_info(ex);
        self.set_global("errorInfo", &info);
        let code = ex.error_code_value().as_str().into_owned();
        self.set_global("errorCode", &code);
    }

    // ----- instruction helpers -------------------------------------------

    fn concat(&mut self, n: usize) -> Result<(), Exception> {
        if n > self.stack.len() {
            return Err(bad_operand());
        }
        let start = self.stack.len() - n;
        let mut s = String::new();
        for v in &self.stack[start..] {
            v.write_to(&mut s);
        }
        self.check_string(s.len())?;
        self.stack.truncate(start);
        self.stack.push(Value::from(s));
        Ok(())
    }

    fn concat_words(&mut self, n: usize) -> Result<(), Exception> {
        if n > self.stack.len() {
            return Err(bad_operand());
        }
        let words = self.stack.split_off(self.stack.len() - n);
        self.stack.push(Value::from(crate::cmds::list::concat_values(&words)));
        Ok(())
    }

    fn list_append(&mut self, expand: bool) -> Result<(), Exception> {
        let (Some(v), Some(mut list)) = (self.stack.pop(), self.stack.pop()) else {
            return Err(bad_operand());
        };
        {
            let l = list_make_mut(&mut list)?;
            if expand {
                l.extend(v.as_list()?.iter().cloned());
            } else {
                l.push(v);
            }
        }
        self.stack.push(list);
        Ok(())
    }

    fn math_func(&mut self, code: &ByteCode, name: u32, n: usize) -> Result<(), Exception> {
        let Some(name) = code.literals.get(name as usize) else {
            return Err(bad_operand());
        };
        if n > self.stack.len() {
            return Err(bad_operand());
        }
        let args = self.stack.split_off(self.stack.len() - n);
        if self.rng == 0 {
            self.rng = (now_micros() as u64) ^ 0x5DEE_CE66;
        }
        let v = ops::math_func(&name.as_str(), &args, &mut self.rng)?;
        self.stack.push(v);
        Ok(())
    }

    // ----- foreach, switch, try ------------------------------------------

    fn foreach_start(&mut self, code: &ByteCode, aux: u32) -> Result<(), Exception> {
        let n = foreach_list_count(code, aux);
        if n > self.stack.len() {
            return Err(bad_operand());
        }
        let start = self.stack.len() - n;
        for i in start..self.stack.len() {
            let l = self.stack[i].as_list()?;
            self.stack[i] = Value::from_rep(crate::value::Rep::List(l));
        }
        self.stack.push(Value::Int(0));
        Ok(())
    }

    /// Assigns the next iteration's values; false when the loop is done.
    fn foreach_step(&mut self, code: &ByteCode, aux: u32, vf: u32) -> Result<bool, Exception> {
        let Some(Aux::Foreach { lists }) = code.aux.get(aux as usize) else {
            return Err(bad_operand());
        };
        let n = lists.len();
        let len = self.stack.len();
        if len < n + 1 {
            return Err(bad_operand());
        }
        let Value::Int(counter) = self.stack[len - 1] else {
            return Err(bad_operand());
        };
        let counter = counter as usize;
        // Fast path: one list, one plain local.
        if let [vars] = lists.as_slice() {
            if let [VarAddr::Slot(s)] = vars.as_slice() {
                let item = self.stack[len - 2].with_list(|l| l.get(counter).cloned())?;
                let Some(v) = item else { return Ok(false) };
                self.stack[len - 1] = Value::Int(counter as i64 + 1);
                if let Some(var @ (Var::Scalar(_) | Var::Undefined)) = self.vars.var_mut(vf, *s) {
                    *var = Var::Scalar(v);
                    return Ok(true);
                }
                let r = self.vars.resolve(vf, *s, None);
                let name = code.locals.get(*s as usize).map(|n| n.to_string()).unwrap_or_default();
                self.apply_var_op(VarOp::Store, &r, &name, vec![v])?;
                return Ok(true);
            }
        }
        let mut more = false;
        for (i, vars) in lists.iter().enumerate() {
            let l = self.stack[len - 1 - n + i].as_list()?;
            if counter * vars.len().max(1) < l.len() {
                more = true;
            }
        }
        if !more {
            return Ok(false);
        }
        self.stack[len - 1] = Value::Int(counter as i64 + 1);
        for (i, vars) in lists.iter().enumerate() {
            let l = self.stack[len - 1 - n + i].as_list()?;
            let nv = vars.len().max(1);
            for (j, addr) in vars.iter().enumerate() {
                let v = l.get(counter * nv + j).cloned().unwrap_or_default();
                match *addr {
                    VarAddr::Slot(s) => {
                        // Fast path: a plain local.
                        if let Some(var @ (Var::Scalar(_) | Var::Undefined)) = self.vars.var_mut(vf, s) {
                            *var = Var::Scalar(v);
                            continue;
                        }
                        let r = self.vars.resolve(vf, s, None);
                        let name = code.locals.get(s as usize).map(|n| n.to_string()).unwrap_or_default();
                        self.apply_var_op(VarOp::Store, &r, &name, vec![v])?;
                    }
                    VarAddr::Name(l) => {
                        let name = code.literals.get(l as usize).map(|n| n.as_str().into_owned()).unwrap_or_default();
                        let (base, key) = split_name(&name);
                        let r = self.resolve_name_in(vf, base, key.map(Rc::from), true);
                        self.apply_var_op(VarOp::Store, &r, &name, vec![v])?;
                    }
                    VarAddr::Stack => return Err(bad_operand()),
                }
            }
        }
        Ok(true)
    }

    fn switch_match(&mut self, code: &ByteCode, aux: u32, _vf: u32) -> Result<(), Exception> {
        let Some(Aux::Switch { patterns, mode, nocase, match_var, index_var }) = code.aux.get(aux as usize) else {
            return Err(bad_operand());
        };
        let Some(subject) = self.stack.pop() else {
            return Err(bad_operand());
        };
        let s = subject.as_str();
        let mut found = patterns.len();
        for (i, &p) in patterns.iter().enumerate() {
            if p == u32::MAX {
                found = i;
                break;
            }
            let Some(pat) = code.literals.get(p as usize) else {
                return Err(bad_operand());
            };
            let pat = pat.as_str();
            let hit = match mode {
                SwitchMode::Exact => {
                    if *nocase {
                        pat.to_lowercase() == s.to_lowercase()
                    } else {
                        *pat == *s
                    }
                }
                SwitchMode::Glob => crate::glob::string_match(&pat, &s, *nocase),
                SwitchMode::Regexp => {
                    if match_var.is_some() || index_var.is_some() {
                        match crate::cmds::regexp::captures(&pat, &s, *nocase)? {
                            Some(groups) => {
                                self.set_switch_vars(match_var, index_var, &s, &groups)?;
                                true
                            }
                            None => false,
                        }
                    } else {
                        crate::cmds::regexp::simple_match(&pat, &s, *nocase)?
                    }
                }
            };
            if hit {
                found = i;
                break;
            }
        }
        if found < patterns.len() && patterns.get(found) == Some(&u32::MAX) {
            self.set_switch_vars(match_var, index_var, &s, &[])?;
        }
        self.stack.push(Value::Int(found as i64));
        Ok(())
    }

    /// `switch -matchvar/-indexvar`: the matched groups as strings and as
    /// character index pairs (empty lists for the default arm).
    fn set_switch_vars(
        &mut self,
        match_var: &Option<String>,
        index_var: &Option<String>,
        s: &str,
        groups: &[Option<(usize, usize)>],
    ) -> Result<(), Exception> {
        if let Some(mv) = match_var {
            let chars: Vec<char> = s.chars().collect();
            let items = groups
                .iter()
                .map(|g| match g {
                    Some((a, b)) => {
                        Value::from(chars.get(*a..*b).map(|c| c.iter().collect::<String>()).unwrap_or_default())
                    }
                    None => Value::empty(),
                })
                .collect();
            self.set_var_value(mv, Value::list(items))?;
        }
        if let Some(iv) = index_var {
            let items = groups
                .iter()
                .map(|g| match g {
                    Some((a, b)) => Value::list(vec![Value::Int(*a as i64), Value::Int(*b as i64 - 1)]),
                    None => Value::list(vec![Value::Int(-1), Value::Int(-1)]),
                })
                .collect();
            self.set_var_value(iv, Value::list(items))?;
        }
        Ok(())
    }

    fn try_dispatch(&mut self, code: &ByteCode, aux: u32) -> Result<u32, Exception> {
        let Some(Aux::Try { handlers, no_match }) = code.aux.get(aux as usize) else {
            return Err(bad_operand());
        };
        let len = self.stack.len();
        if len < 3 {
            return Err(bad_operand());
        }
        let completion = self.stack[len - 1].as_int()? as i32;
        for (m, target) in handlers {
            let hit = match m {
                TryMatch::Code(c) => *c == completion,
                TryMatch::Trap(lit) => {
                    if completion != TCL_ERROR {
                        false
                    } else {
                        let pattern = code.literals.get(*lit as usize).cloned().unwrap_or_default().as_list()?;
                        let opts = self.stack[len - 2].as_dict()?;
                        let ec = opts.get("-errorcode").cloned().unwrap_or_default().as_list()?;
                        pattern.len() <= ec.len()
                            && pattern.iter().zip(ec.iter()).all(|(a, b)| a.as_str() == b.as_str())
                    }
                }
            };
            if hit {
                return Ok(*target);
            }
        }
        Ok(*no_match)
    }
}

fn foreach_list_count(code: &ByteCode, aux: u32) -> usize {
    match code.aux.get(aux as usize) {
        Some(Aux::Foreach { lists }) => lists.len(),
        _ => 0,
    }
}

/// Binds call words to a frame's first variables, with Tcl's messages.
fn bind_args(params: &[(Rc<str>, Option<Value>)], words: &[Value], nlocals: usize) -> Result<Vec<Var>, Exception> {
    let actual = words.len().saturating_sub(1);
    let mut vars = Vec::with_capacity(nlocals.max(params.len()));
    let has_args = params.last().is_some_and(|(n, _)| &**n == "args");
    let fixed = if has_args { params.len() - 1 } else { params.len() };
    for (i, (_, default)) in params.iter().take(fixed).enumerate() {
        match words.get(i + 1) {
            Some(v) => vars.push(Var::Scalar(v.clone())),
            None => match default {
                Some(d) => vars.push(Var::Scalar(d.clone())),
                None => return Err(proc_wrong_args(params, words)),
            },
        }
    }
    if has_args {
        let rest = if actual > fixed { words[fixed + 1..].to_vec() } else { Vec::new() };
        vars.push(Var::Scalar(Value::list(rest)));
    } else if actual > fixed {
        return Err(proc_wrong_args(params, words));
    }
    vars.resize(nlocals.max(vars.len()), Var::Undefined);
    Ok(vars)
}

fn proc_wrong_args(params: &[(Rc<str>, Option<Value>)], words: &[Value]) -> Exception {
    let mut s = String::from("wrong # args: should be \"");
    let name = words.first().map(|w| w.as_str().into_owned()).unwrap_or_default();
    if name.starts_with("apply ") {
        s.push_str(&name);
    } else {
        s.push_str(&crate::list::quote_element(&name));
    }
    for (i, (name, default)) in params.iter().enumerate() {
        s.push(' ');
        if i == params.len() - 1 && &**name == "args" {
            s.push_str("?arg ...?");
        } else if default.is_some() {
            s.push('?');
            s.push_str(name);
            s.push('?');
        } else {
            s.push_str(name);
        }
    }
    s.push('"');
    Exception::error_code(s, &["TCL", "WRONGARGS"])
}

/// Appends "while executing"/"invoked from within" and the command text.
fn log_command(ex: &mut Exception, text: &str) {
    if !ex.0.info_started {
        ex.0.error_info = ex.0.value.as_str().into_owned();
        ex.0.error_info.push_str("\n    while executing\n\"");
        ex.0.info_started = true;
    } else {
        ex.0.error_info.push_str("\n    invoked from within\n\"");
    }
    ex.0.error_info.push_str(&ellipsize(text, ERRORINFO_CMD_LIMIT));
    ex.0.error_info.push('"');
}

fn log_command_top(ex: &mut Exception, frame: &CodeFrame, pc: u32) {
    if let Some(cmd) = frame.code.command_at(pc) {
        let text = frame.code.source.get(cmd.src_start as usize..cmd.src_end as usize).unwrap_or("").to_owned();
        log_command(ex, &text);
    }
}

/// The text cut to `limit` bytes (at a character boundary) plus "...".
fn ellipsize(s: &str, limit: usize) -> String {
    if s.len() <= limit {
        return s.to_owned();
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// The errorInfo of an error: the trace, or just the message.
pub(crate) fn full_error_info(ex: &Exception) -> String {
    if ex.0.info_started {
        ex.0.error_info.clone()
    } else {
        ex.0.value.as_str().into_owned()
    }
}

/// Errors from arithmetic start the trace with the message itself, so the
/// command that raised them is "invoked from within" (as tclsh shows).
fn arith_error(mut e: Exception) -> Exception {
    if !e.0.info_started {
        e.0.error_info = e.0.value.as_str().into_owned();
        e.0.info_started = true;
    }
    e
}

pub(crate) fn bad_operand() -> Exception {
    Exception::error("bytecode error: bad operand")
}

fn fast_int_op(op: ops::BinOp, a: i64, b: i64) -> Option<Value> {
    use ops::BinOp::*;
    Some(match op {
        Add => Value::Int(a.checked_add(b)?),
        Sub => Value::Int(a.checked_sub(b)?),
        Mul => Value::Int(a.checked_mul(b)?),
        Lt => Value::bool(a < b),
        Gt => Value::bool(a > b),
        Le => Value::bool(a <= b),
        Ge => Value::bool(a >= b),
        Eq => Value::bool(a == b),
        Ne => Value::bool(a != b),
        _ => return None,
    })
}

pub(crate) fn now_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0)
}

impl Exception {
    pub(crate) fn with_message(mut self, msg: String) -> Exception {
        self.0.value = Value::from(msg);
        self
    }
}
