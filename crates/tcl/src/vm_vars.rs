//! VM support for variables: the general variable instruction, name
//! resolution in a frame (`::x` is global), the operations themselves with
//! Tcl's messages, and links (`upvar`, `global`).

use std::rc::Rc;

use crate::bytecode::{ByteCode, VarAddr, VarOp};
use crate::error::Exception;
use crate::interp::Interp;
use crate::ops;
use crate::value::{list_make_mut, string_make_mut, Value};
use crate::vars::{split_name, var_error, Link, Resolved, Var, VarFault};
use crate::vm::bad_operand;

impl Interp {
    pub(crate) fn load_local(&mut self, vf: u32, slot: u32, code: &ByteCode) -> Result<(), Exception> {
        if let Some(Var::Scalar(v)) = self.vars.var(vf, slot) {
            let v = v.clone();
            self.stack.push(v);
            return Ok(());
        }
        self.var_instr(vf, code, VarOp::Load, VarAddr::Slot(slot), false)
    }

    pub(crate) fn store_local(&mut self, vf: u32, slot: u32, code: &ByteCode) -> Result<(), Exception> {
        if let Some(Var::Scalar(cur)) = self.vars.var_mut(vf, slot) {
            if let Some(v) = self.stack.last() {
                *cur = v.clone();
                return Ok(());
            }
        }
        self.var_instr(vf, code, VarOp::Store, VarAddr::Slot(slot), false)
    }

    /// The general variable instruction: operands were pushed after the
    /// name (for `Stack`) and the element key (for `elem`).
    pub(crate) fn var_instr(
        &mut self,
        vf: u32,
        code: &ByteCode,
        op: VarOp,
        addr: VarAddr,
        elem: bool,
    ) -> Result<(), Exception> {
        // Fast paths: appends to a defined scalar local, in place.
        if let (VarAddr::Slot(slot), false, VarOp::Append | VarOp::Lappend(1)) = (addr, elem, op) {
            if op == VarOp::Append && self.memory_limit().is_some() {
                let bytes = crate::memory::append_bytes(self.stack.last());
                self.charge_memory(bytes)?;
            }
            let max_bytes = self.limits.max_string_bytes;
            let max_len = self.limits.max_list_len;
            if let (Some(Var::Scalar(cur)), Some(add)) =
                (self.vars.frames.get_mut(vf as usize).and_then(|f| f.vars.get_mut(slot as usize)), self.stack.last())
            {
                if op == VarOp::Append {
                    let s = string_make_mut(cur);
                    if s.len() < max_bytes {
                        add.write_to(s);
                        let v = cur.clone();
                        let n = self.stack.len();
                        self.stack[n - 1] = v;
                        return Ok(());
                    }
                } else if let Ok(l) = list_make_mut(cur) {
                    if l.len() < max_len {
                        l.push(add.clone());
                        let v = cur.clone();
                        let n = self.stack.len();
                        self.stack[n - 1] = v;
                        return Ok(());
                    }
                }
            }
        }
        if !elem && matches!(op, VarOp::Load | VarOp::Store) && self.plain_scalar_op(vf, code, op, addr) {
            return Ok(());
        }
        let operands = match op {
            VarOp::Store | VarOp::Incr | VarOp::Append => 1,
            VarOp::Lappend(n) => n as usize,
            _ => 0,
        };
        let prefix = elem as usize + matches!(addr, VarAddr::Stack) as usize;
        if self.stack.len() < operands + prefix {
            return Err(bad_operand());
        }
        let args = self.stack.split_off(self.stack.len() - operands);
        let key = if elem { self.stack.pop() } else { None };
        let name_v = if matches!(addr, VarAddr::Stack) { self.stack.pop() } else { None };
        let stack_name;
        let (name, key): (std::borrow::Cow<str>, Option<Rc<str>>) = match addr {
            VarAddr::Slot(s) => {
                let Some(n) = code.locals.get(s as usize) else {
                    return Err(bad_operand());
                };
                (std::borrow::Cow::Borrowed(&**n), key.map(|k| Rc::from(&*k.as_str())))
            }
            VarAddr::Name(l) => {
                let Some(n) = code.literals.get(l as usize) else {
                    return Err(bad_operand());
                };
                (n.as_str(), key.map(|k| Rc::from(&*k.as_str())))
            }
            VarAddr::Stack => {
                stack_name = name_v.map(|v| v.as_str().into_owned()).unwrap_or_default();
                let (base, k) = split_name(&stack_name);
                (std::borrow::Cow::Borrowed(base), k.map(Rc::from))
            }
        };
        let r = match addr {
            VarAddr::Slot(s) => {
                if self.vars.var(vf, s).is_none() {
                    return Err(bad_operand());
                }
                self.vars.resolve(vf, s, key.clone())
            }
            _ => self.resolve_name_in(
                vf,
                &name,
                key.clone(),
                !matches!(op, VarOp::Load | VarOp::Exists | VarOp::Unset(_)),
            ),
        };
        let display = match &key {
            Some(k) => std::borrow::Cow::Owned(format!("{name}({k})")),
            None => name,
        };
        let result = self.apply_var_op(op, &r, &display, args).map_err(|mut e| {
            // tclsh reports compiled locals and elements as READ errors.
            if op == VarOp::Load && (matches!(addr, VarAddr::Slot(_)) || key.is_some()) {
                e.0.error_code = Some(Value::from("TCL READ VARNAME"));
            }
            e
        })?;
        self.stack.push(result);
        Ok(())
    }

    /// Resolves a variable by name in frame `vf` (`::x` is global). Creates
    /// the variable entry when `create` (or always, harmlessly undefined).
    /// The common case of `var_instr` without its general machinery (no
    /// operand vector, no name resolution beyond one look-up): reading or
    /// writing a scalar that exists in frame `vf` itself (not through a
    /// link, not an array element, not a `::` name). Returns false, having
    /// changed nothing, for anything else.
    fn plain_scalar_op(&mut self, vf: u32, code: &ByteCode, op: VarOp, addr: VarAddr) -> bool {
        let Some(frame) = self.vars.frames.get_mut(vf as usize) else { return false };
        let index = match addr {
            VarAddr::Slot(s) => s,
            VarAddr::Name(l) => {
                let Some(literal) = code.literals.get(l as usize) else { return false };
                let name = literal.as_str();
                if name.starts_with("::") {
                    return false;
                }
                match frame.find(&name) {
                    Some(i) => i,
                    None => return false,
                }
            }
            VarAddr::Stack => return false,
        };
        let Some(Var::Scalar(current)) = frame.vars.get_mut(index as usize) else { return false };
        match op {
            VarOp::Load => {
                let v = current.clone();
                self.stack.push(v);
                true
            }
            // The value stays on the stack as the instruction's result.
            VarOp::Store => match self.stack.last() {
                Some(v) => {
                    *current = v.clone();
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    pub(crate) fn resolve_name_in(&mut self, vf: u32, name: &str, key: Option<Rc<str>>, create: bool) -> Resolved {
        let (frame, plain) = match name.strip_prefix("::") {
            Some(rest) => (0, rest),
            None => (vf, name),
        };
        let Some(f) = self.vars.frames.get_mut(frame as usize) else {
            return Resolved { frame: 0, index: u32::MAX, elem: key };
        };
        let index = match f.find(plain) {
            Some(i) => i,
            None if create => f.find_or_create(plain),
            None => return Resolved { frame, index: u32::MAX, elem: key },
        };
        self.vars.resolve(frame, index, key)
    }

    /// Performs `op` on a resolved variable; returns the instruction result.
    pub(crate) fn apply_var_op(
        &mut self,
        op: VarOp,
        r: &Resolved,
        name: &str,
        mut args: Vec<Value>,
    ) -> Result<Value, Exception> {
        match op {
            VarOp::Load => self.vars.read(r, name),
            VarOp::Exists => Ok(Value::bool(self.vars.exists(r))),
            VarOp::Unset(nocomplain) => {
                self.vars.unset(r, name, nocomplain)?;
                Ok(Value::empty())
            }
            VarOp::Store => {
                let v = args.pop().unwrap_or_default();
                let slot = self.vars.slot_mut(r, name, "set")?;
                *slot = v.clone();
                Ok(v)
            }
            VarOp::Incr | VarOp::IncrImm(_) => {
                let existed = self.vars.exists(r);
                let incr = match op {
                    VarOp::IncrImm(n) => Value::Int(n as i64),
                    _ => args.pop().unwrap_or_default(),
                };
                if let Value::Obj(_) = incr {
                    if let Err(mut e) = incr.as_integer() {
                        e.0.error_info = format!("{}\n    (reading increment)", e.0.value.as_str());
                        e.0.info_started = true;
                        return Err(e);
                    }
                }
                let slot = self.vars.slot_mut(r, name, "set")?;
                let cur = if existed { std::mem::take(slot) } else { Value::Int(0) };
                let new = match (&cur, &incr) {
                    (Value::Int(a), Value::Int(b)) if a.checked_add(*b).is_some() => Value::Int(a + b),
                    _ => {
                        if let Err(e) = cur.as_integer() {
                            *slot = cur;
                            let mut e = e;
                            e.0.error_info =
                                format!("{}\n    (reading value of variable to increment)", e.0.value.as_str());
                            e.0.info_started = true;
                            return Err(e);
                        }
                        match ops::binary(ops::BinOp::Add, &cur, &incr) {
                            Ok(v) => v,
                            Err(e) => {
                                *slot = cur;
                                return Err(e);
                            }
                        }
                    }
                };
                *slot = new.clone();
                Ok(new)
            }
            VarOp::Append => {
                let add = args.pop().unwrap_or_default();
                if self.memory_limit().is_some() {
                    self.charge_memory(crate::memory::append_bytes(Some(&add)))?;
                }
                let max = self.limits.max_string_bytes;
                let slot = self.vars.slot_mut(r, name, "set")?;
                let s = string_make_mut(slot);
                if s.len() + add.as_str().len() > max {
                    return Err(Exception::error_code(
                        format!("string size limit exceeded ({max} bytes)"),
                        &["TCL", "MEMORY"],
                    ));
                }
                add.write_to(s);
                Ok(slot.clone())
            }
            VarOp::Lappend(_) => {
                let max = self.limits.max_list_len;
                let slot = self.vars.slot_mut(r, name, "set")?;
                let l = list_make_mut(slot)?;
                if l.len() + args.len() > max {
                    return Err(Exception::error_code(
                        format!("list size limit exceeded ({max} elements)"),
                        &["TCL", "MEMORY"],
                    ));
                }
                l.extend(args);
                Ok(slot.clone())
            }
        }
    }

    /// The current variable frame (the global frame when idle).
    pub(crate) fn current_vf(&self) -> u32 {
        self.frames.last().map(|f| f.var_frame).unwrap_or(0)
    }

    /// Reads a variable by name (`a(b)` for elements) in the current frame.
    pub(crate) fn read_var_named(&mut self, full: &str) -> Result<Value, Exception> {
        let vf = self.current_vf();
        let (base, key) = split_name(full);
        let r = self.resolve_name_in(vf, base, key.map(Rc::from), false);
        self.vars.read(&r, full)
    }

    /// Sets a variable by name in the current frame.
    pub(crate) fn set_var_value(&mut self, full: &str, v: Value) -> Result<Value, Exception> {
        let vf = self.current_vf();
        let (base, key) = split_name(full);
        let r = self.resolve_name_in(vf, base, key.map(Rc::from), true);
        self.apply_var_op(VarOp::Store, &r, full, vec![v])
    }

    /// A mutable reference to a variable's value (created empty if needed),
    /// for commands that edit values in place (`dict set`, `lset`).
    pub(crate) fn var_value_mut(&mut self, full: &str) -> Result<(&mut Value, bool), Exception> {
        let vf = self.current_vf();
        let (base, key) = split_name(full);
        let r = self.resolve_name_in(vf, base, key.map(Rc::from), true);
        let existed = self.vars.exists(&r);
        let slot = self.vars.slot_mut(&r, full, "set")?;
        Ok((slot, existed))
    }

    /// Unsets a variable by name in the current frame, quietly.
    pub(crate) fn apply_unset_named(&mut self, full: &str) {
        let vf = self.current_vf();
        let (base, key) = split_name(full);
        let r = self.resolve_name_in(vf, base, key.map(Rc::from), false);
        let _ = self.vars.unset(&r, full, true);
    }

    /// Makes local `local` (in frame `vf`) a link to `target` (resolved).
    pub(crate) fn link_var(&mut self, vf: u32, local: &str, target: Resolved) -> Result<(), Exception> {
        if local.contains('(') && local.ends_with(')') {
            return Err(Exception::error(format!(
                "bad variable name \"{local}\": can't create a scalar variable that looks like an array element"
            )));
        }
        let Some(f) = self.vars.frames.get_mut(vf as usize) else {
            return Err(bad_operand());
        };
        let idx = f.find_or_create(local);
        if target.frame == vf && target.index == idx && target.elem.is_none() {
            return Err(var_error("upvar", local, None, VarFault::UpvarLoop)
                .with_message("can't upvar from variable to itself".into()));
        }
        match &f.vars[idx as usize] {
            Var::Undefined | Var::Link(_) => {}
            _ => return Err(Exception::error(format!("variable \"{local}\" already exists"))),
        }
        f.vars[idx as usize] = Var::Link(Link { frame: target.frame, index: target.index, elem: target.elem });
        Ok(())
    }
}
