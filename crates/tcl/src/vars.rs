//! Variables: call frames of variables, scalars, arrays and links (`upvar`,
//! `global`), with Tcl's error messages.
//!
//! A frame's variables live in one vector: compiled locals first (their
//! names are the proc bytecode's `locals`), then variables created by name
//! at run time (found through `dynamic`). Variables are never removed from
//! the vector (unset makes them `Undefined`), so a link `(frame, index)`
//! stays valid for as long as its target frame lives, and target frames
//! always outlive the frames that link to them.

use std::collections::HashMap;
use std::rc::Rc;

use crate::bytecode::ByteCode;
use crate::error::Exception;
use crate::value::Value;

/// Run-time variable names of a frame. A fixed-key hasher: creating an
/// empty map costs nothing, which matters because every proc call makes one.
pub type NameMap = HashMap<Rc<str>, u32, std::hash::BuildHasherDefault<ahash::AHasher>>;

/// The elements of an array variable.
pub type ArrayMap = indexmap::IndexMap<Rc<str>, Value, ahash::RandomState>;

#[derive(Clone, Debug, Default)]
pub enum Var {
    #[default]
    Undefined,
    Scalar(Value),
    Array(Box<ArrayMap>),
    Link(Link),
}

/// Where a linked variable lives.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub frame: u32,
    pub index: u32,
    /// Linked to one element of an array.
    pub elem: Option<Rc<str>>,
}

/// One frame of variables: the global frame, a proc call or a lambda.
#[derive(Clone, Debug)]
pub struct VarFrame {
    pub vars: Vec<Var>,
    /// Run-time variable names and their indices in `vars`.
    pub dynamic: NameMap,
    /// The proc body whose `locals` name the first variables.
    pub code: Option<Rc<ByteCode>>,
    /// `info level` of this frame (0 for the global frame).
    pub level: u32,
    /// The frame that was current when this one was called.
    pub caller: u32,
    /// The words of the call (`info level N`).
    pub objv: Vec<Value>,
}

impl VarFrame {
    pub fn global() -> VarFrame {
        VarFrame { vars: Vec::new(), dynamic: HashMap::default(), code: None, level: 0, caller: 0, objv: Vec::new() }
    }

    /// The index of variable `name`, if it exists in this frame.
    pub fn find(&self, name: &str) -> Option<u32> {
        if let Some(code) = &self.code {
            if let Some(i) = code.locals.iter().position(|l| &**l == name) {
                return Some(i as u32);
            }
        }
        self.dynamic.get(name).copied()
    }

    /// The index of variable `name`, created (undefined) if needed.
    pub fn find_or_create(&mut self, name: &str) -> u32 {
        if let Some(i) = self.find(name) {
            return i;
        }
        let i = self.vars.len() as u32;
        self.vars.push(Var::Undefined);
        self.dynamic.insert(Rc::from(name), i);
        i
    }

    /// The name of variable `index` (for messages and `info locals`).
    pub fn name_of(&self, index: u32) -> Option<Rc<str>> {
        if let Some(code) = &self.code {
            if let Some(n) = code.locals.get(index as usize) {
                return Some(n.clone());
            }
        }
        self.dynamic.iter().find(|(_, &i)| i == index).map(|(n, _)| n.clone())
    }

    /// Names of defined variables, compiled locals first, then by creation.
    pub fn defined_names(&self, include_links: bool) -> Vec<Rc<str>> {
        let mut out: Vec<(u32, Rc<str>)> = Vec::new();
        if let Some(code) = &self.code {
            for (i, n) in code.locals.iter().enumerate() {
                out.push((i as u32, n.clone()));
            }
        }
        for (n, &i) in &self.dynamic {
            out.push((i, n.clone()));
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter()
            .filter(|(i, _)| match self.vars.get(*i as usize) {
                Some(Var::Undefined) | None => false,
                Some(Var::Link(_)) => include_links,
                _ => true,
            })
            .map(|(_, n)| n)
            .collect()
    }
}

/// A variable reference after following links.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub frame: u32,
    pub index: u32,
    pub elem: Option<Rc<str>>,
}

/// All variable frames of an interpreter.
#[derive(Clone, Debug)]
pub struct Frames {
    pub frames: Vec<VarFrame>,
}

/// What went wrong when accessing a variable, turned into Tcl's message by
/// [`var_error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarFault {
    NoSuchVariable,
    NoSuchElement,
    IsArray,
    NotArray,
    UpvarLoop,
}

/// Tcl's message: `can't read "x": no such variable`.
pub fn var_error(verb: &str, name: &str, elem: Option<&str>, fault: VarFault) -> Exception {
    let full = match elem {
        Some(e) => format!("{name}({e})"),
        None => name.to_owned(),
    };
    let why = match fault {
        VarFault::NoSuchVariable => "no such variable",
        VarFault::NoSuchElement => "no such element in array",
        VarFault::IsArray => "variable is array",
        VarFault::NotArray => "variable isn't array",
        VarFault::UpvarLoop => "upvar refers to itself",
    };
    let code: &[&str] = match fault {
        VarFault::NoSuchVariable => &["TCL", "LOOKUP", "VARNAME", &full],
        VarFault::NoSuchElement => &["TCL", "LOOKUP", "ELEMENT", name, elem.unwrap_or("")],
        VarFault::IsArray | VarFault::NotArray => &["TCL", "WRITE", "ARRAY"],
        VarFault::UpvarLoop => &["TCL", "UPVAR", "SELF"],
    };
    let mut e = Exception::error(format!("can't {verb} \"{full}\": {why}"));
    e.0.error_code = Some(Value::list(code.iter().map(|s| Value::from(*s)).collect()));
    e
}

impl Frames {
    pub fn new() -> Frames {
        Frames { frames: vec![VarFrame::global()] }
    }

    /// Follows a link chain from `(frame, index)`.
    pub fn resolve(&self, frame: u32, index: u32, elem: Option<Rc<str>>) -> Resolved {
        let mut r = Resolved { frame, index, elem };
        // Links are resolved when made, so one step suffices; the bound
        // guards against corrupt snapshots.
        for _ in 0..8 {
            match self.var(r.frame, r.index) {
                Some(Var::Link(l)) => {
                    let elem = match (&l.elem, r.elem) {
                        (Some(e), _) => Some(e.clone()),
                        (None, e) => e,
                    };
                    r = Resolved { frame: l.frame, index: l.index, elem };
                }
                _ => break,
            }
        }
        r
    }

    pub fn var(&self, frame: u32, index: u32) -> Option<&Var> {
        self.frames.get(frame as usize)?.vars.get(index as usize)
    }

    pub fn var_mut(&mut self, frame: u32, index: u32) -> Option<&mut Var> {
        self.frames.get_mut(frame as usize)?.vars.get_mut(index as usize)
    }

    /// Reads a resolved variable; `name` is used for messages.
    pub fn read(&self, r: &Resolved, name: &str) -> Result<Value, Exception> {
        let (base, _) = split_name(name);
        match (self.var(r.frame, r.index), &r.elem) {
            (Some(Var::Scalar(v)), None) => Ok(v.clone()),
            (Some(Var::Array(_)), None) => Err(var_error("read", name, None, VarFault::IsArray)),
            (Some(Var::Array(a)), Some(e)) => {
                a.get(&**e).cloned().ok_or_else(|| var_error("read", base, Some(e), VarFault::NoSuchElement))
            }
            (Some(Var::Scalar(_)), Some(e)) => Err(var_error("read", base, Some(e), VarFault::NotArray)),
            (_, Some(e)) => Err(var_error("read", base, Some(e), VarFault::NoSuchVariable)),
            (_, None) => Err(var_error("read", name, None, VarFault::NoSuchVariable)),
        }
    }

    /// A mutable slot for the value of a resolved variable, creating it
    /// (scalar, or array element) as needed; `name` is for messages.
    pub fn slot_mut(&mut self, r: &Resolved, name: &str, verb: &str) -> Result<&mut Value, Exception> {
        let (base, _) = split_name(name);
        let Some(var) = self.var_mut(r.frame, r.index) else {
            return Err(Exception::error(format!("can't {verb} \"{name}\": bad variable reference")));
        };
        match &r.elem {
            None => {
                match var {
                    Var::Array(_) => return Err(var_error(verb, name, None, VarFault::IsArray)),
                    Var::Scalar(_) => {}
                    _ => *var = Var::Scalar(Value::empty()),
                }
                match var {
                    Var::Scalar(v) => Ok(v),
                    _ => Err(Exception::error("internal error: scalar expected")),
                }
            }
            Some(e) => {
                match var {
                    Var::Scalar(_) => return Err(var_error(verb, base, Some(e), VarFault::NotArray)),
                    Var::Array(_) => {}
                    _ => *var = Var::Array(Box::default()),
                }
                match var {
                    Var::Array(a) => Ok(a.entry(e.clone()).or_insert_with(Value::empty)),
                    _ => Err(Exception::error("internal error: array expected")),
                }
            }
        }
    }

    /// True when the resolved variable (or element) has a value.
    pub fn exists(&self, r: &Resolved) -> bool {
        match (self.var(r.frame, r.index), &r.elem) {
            (Some(Var::Scalar(_)), None) | (Some(Var::Array(_)), None) => true,
            (Some(Var::Array(a)), Some(e)) => a.contains_key(&**e),
            _ => false,
        }
    }

    /// Unsets a resolved variable; errors (unless `nocomplain`) when absent.
    pub fn unset(&mut self, r: &Resolved, name: &str, nocomplain: bool) -> Result<(), Exception> {
        let (base, _) = split_name(name);
        let Some(var) = self.var_mut(r.frame, r.index) else {
            if nocomplain {
                return Ok(());
            }
            return Err(match &r.elem {
                Some(e) => var_error("unset", base, Some(e), VarFault::NoSuchVariable),
                None => var_error("unset", name, None, VarFault::NoSuchVariable),
            });
        };
        match (&mut *var, &r.elem) {
            (Var::Scalar(_), None) | (Var::Array(_), None) => {
                *var = Var::Undefined;
                Ok(())
            }
            (Var::Array(a), Some(e)) => {
                if a.shift_remove(&**e).is_none() && !nocomplain {
                    return Err(var_error("unset", base, Some(e), VarFault::NoSuchElement));
                }
                Ok(())
            }
            (Var::Scalar(_), Some(e)) if !nocomplain => Err(var_error("unset", base, Some(e), VarFault::NotArray)),
            (_, Some(e)) if !nocomplain => Err(var_error("unset", base, Some(e), VarFault::NoSuchVariable)),
            (_, None) if !nocomplain => Err(var_error("unset", name, None, VarFault::NoSuchVariable)),
            _ => Ok(()),
        }
    }
}

impl Default for Frames {
    fn default() -> Frames {
        Frames::new()
    }
}

/// `a(b)` -> ("a", Some("b")); anything else -> (name, None).
pub fn split_name(name: &str) -> (&str, Option<&str>) {
    match crate::compile::split_array_name(name) {
        Some((a, k)) => (a, Some(k)),
        None => (name, None),
    }
}
