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

/// All commands of an interpreter: the built-ins, shared by every
/// interpreter of the process (a static table), plus this interpreter's
/// changes: procs, host commands, renamed and deleted built-ins. An idle
/// agent that defines nothing pays nothing for its command table.
#[derive(Default)]
pub struct CommandTable {
    /// Names bound differently from the built-in set (`None`: deleted).
    overlay: HashMap<Rc<str>, Option<Command>, std::hash::BuildHasherDefault<ahash::AHasher>>,
    /// Bumped whenever a compiled-inline command changes meaning.
    pub compile_epoch: u64,
}

/// A `Command::Builtin` kept in the process-wide table.
struct SharedBuiltin(Command);

// SAFETY: only `Command::Builtin` values are ever wrapped (see
// `builtin_index`); they hold a `&'static BuiltinDef` and no `Rc`, so
// sharing them between threads is sound.
unsafe impl Sync for SharedBuiltin {}
unsafe impl Send for SharedBuiltin {}

/// The built-ins by name, built once per process.
fn builtin_index() -> &'static HashMap<&'static str, SharedBuiltin, ahash::RandomState> {
    static INDEX: std::sync::OnceLock<HashMap<&'static str, SharedBuiltin, ahash::RandomState>> =
        std::sync::OnceLock::new();
    INDEX.get_or_init(|| crate::cmds::builtins().map(|d| (d.name, SharedBuiltin(Command::Builtin(d)))).collect())
}

/// The built-in definition with this (original) name.
pub fn builtin_named(name: &str) -> Option<&'static BuiltinDef> {
    match builtin_index().get(name) {
        Some(SharedBuiltin(Command::Builtin(d))) => Some(d),
        _ => None,
    }
}

/// `::name` and `name` are the same command (no namespaces yet).
pub fn strip_global(name: &str) -> &str {
    name.strip_prefix("::").unwrap_or(name)
}

impl CommandTable {
    pub fn get(&self, name: &str) -> Option<&Command> {
        let name = strip_global(name);
        match self.overlay.get(name) {
            Some(entry) => entry.as_ref(),
            None => builtin_index().get(name).map(|b| &b.0),
        }
    }

    pub fn insert(&mut self, name: &str, cmd: Command) {
        let name = strip_global(name);
        if self.get(name).is_some_and(|old| old.compile_fn().is_some()) || cmd.compile_fn().is_some() {
            self.compile_epoch += 1;
        }
        if let (Command::Builtin(new), Some(SharedBuiltin(Command::Builtin(base)))) = (&cmd, builtin_index().get(name))
        {
            if std::ptr::eq(*new, *base) {
                // Back to the built-in binding: no change to record.
                self.overlay.remove(name);
                return;
            }
        }
        self.overlay.insert(Rc::from(name), Some(cmd));
    }

    pub fn remove(&mut self, name: &str) -> Option<Command> {
        let name = strip_global(name);
        let old = self.get(name).cloned();
        if old.as_ref().is_some_and(|c| c.compile_fn().is_some()) {
            self.compile_epoch += 1;
        }
        if builtin_index().contains_key(name) {
            self.overlay.insert(Rc::from(name), None);
        } else {
            self.overlay.remove(name);
        }
        old
    }

    /// Every command name with its command (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Command)> {
        let base = builtin_index().iter().filter(|(n, _)| !self.overlay.contains_key(**n)).map(|(n, c)| (*n, &c.0));
        let own = self.overlay.iter().filter_map(|(n, c)| c.as_ref().map(|c| (&**n, c)));
        base.chain(own)
    }

    /// The interpreter's changes to the built-in set, for snapshots: each
    /// name with its command, or `None` for a deleted built-in.
    pub fn changes(&self) -> impl Iterator<Item = (&Rc<str>, &Option<Command>)> {
        self.overlay.iter()
    }

    /// Records a change as `changes` lists it (restoring a snapshot).
    pub fn restore_change(&mut self, name: &str, cmd: Option<Command>) {
        self.overlay.insert(Rc::from(name), cmd);
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
