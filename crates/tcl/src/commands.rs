//! The command table: names to built-ins, procs and host commands.
//!
//! Built-ins are static definitions named by their original name, so that a
//! snapshot can refer to them even after `rename`. Commands whose inline
//! compilation depends on the table (`set`, `if`...) bump `compile_epoch`
//! when they are renamed, deleted or shadowed, which makes cached bytecode
//! stale.

use std::collections::HashMap;
use std::rc::Rc;

use crate::bytecode::ByteCode;
use crate::cmds::NativeFn;
use crate::compile::CompileFn;
use crate::value::Value;

/// A built-in command.
pub struct BuiltinDef {
    /// The name it is created under (its identity in snapshots).
    pub name: &'static str,
    /// The implementation when invoked by a computed name or after compile
    /// failure; `None` for commands that only exist compiled (then a
    /// synthetic bytecode is compiled for each such call).
    pub native: Option<NativeFn>,
    /// Inline compilation.
    pub compile: Option<CompileFn>,
}

/// A procedure: arguments with optional defaults and a body compiled lazily.
pub struct Proc {
    pub name: Rc<str>,
    pub args: Vec<(Rc<str>, Option<Value>)>,
    /// The argument spec as given to `proc`.
    pub args_value: Value,
    pub body: Value,
    pub compiled: std::cell::RefCell<Option<Rc<ByteCode>>>,
}

/// What a command name refers to.
#[derive(Clone)]
pub enum Command {
    Builtin(&'static BuiltinDef),
    Proc(Rc<Proc>),
    /// Provided by the embedder under this name (see `Interp::register_host`).
    Host(Rc<str>),
}

impl Command {
    pub fn compile_fn(&self) -> Option<CompileFn> {
        match self {
            Command::Builtin(b) => b.compile,
            _ => None,
        }
    }
}

/// All commands of an interpreter.
#[derive(Default)]
pub struct CommandTable {
    map: HashMap<Rc<str>, Command, ahash::RandomState>,
    /// Bumped whenever a compiled-inline command changes meaning.
    pub compile_epoch: u64,
}

/// `::name` and `name` are the same command (no namespaces yet).
pub fn strip_global(name: &str) -> &str {
    name.strip_prefix("::").unwrap_or(name)
}

impl CommandTable {
    pub fn get(&self, name: &str) -> Option<&Command> {
        self.map.get(strip_global(name))
    }

    pub fn insert(&mut self, name: &str, cmd: Command) {
        let name = strip_global(name);
        if let Some(old) = self.map.get(name) {
            if old.compile_fn().is_some() {
                self.compile_epoch += 1;
            }
        }
        if cmd.compile_fn().is_some() {
            self.compile_epoch += 1;
        }
        self.map.insert(Rc::from(name), cmd);
    }

    pub fn remove(&mut self, name: &str) -> Option<Command> {
        let old = self.map.remove(strip_global(name));
        if old.as_ref().is_some_and(|c| c.compile_fn().is_some()) {
            self.compile_epoch += 1;
        }
        old
    }

    pub fn names(&self) -> impl Iterator<Item = &Rc<str>> {
        self.map.keys()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Rc<str>, &Command)> {
        self.map.iter()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}
