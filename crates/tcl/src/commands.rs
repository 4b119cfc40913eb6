//! The command table: names to built-ins, procs and host commands.
//!
//! Built-ins are static definitions named by their original name, so that a
//! snapshot can refer to them even after `rename`. Commands whose inline
//! compilation depends on the table (`set`, `if`...) bump `compile_epoch`
//! when they are renamed, deleted or shadowed, which makes cached bytecode
//! stale.
//!
//! Between the two sits an optional shared layer of host commands
//! ([`HostCommands`]): an embedder that gives many interpreters the same
//! host commands builds the table once and attaches it to each
//! (`Interp::set_host_commands`), instead of registering them one by one.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

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
    /// Provided by the embedder under this name (see `Interp::register_host`
    /// and [`HostCommands`]). `Arc`, not `Rc`: shared host tables hold
    /// these and are used from many threads.
    Host(Arc<str>),
}

impl Command {
    pub fn compile_fn(&self) -> Option<CompileFn> {
        match self {
            Command::Builtin(b) => b.compile,
            _ => None,
        }
    }
}

/// The function of a shared host command. It gets the interpreter that
/// calls it; per-interpreter data (which agent this is...) comes from the
/// interpreter's embedder context (`Interp::context`).
pub type HostCmdFn = fn(&mut crate::Interp, &[Value]) -> crate::HostResult;

/// Host commands shared by many interpreters (and threads): names and plain
/// functions, built once by the embedder and attached to each interpreter
/// with `Interp::set_host_commands`. An interpreter pays one pointer for
/// them, instead of a command-table entry and a boxed closure per command.
pub struct HostCommands {
    entries: HashMap<Box<str>, SharedHost, ahash::RandomState>,
    /// Some name is that of a built-in compiled inline.
    shadows_compiled: bool,
}

/// A shared host command: its `Command::Host` entry and its function.
#[derive(Clone)]
struct SharedHost {
    cmd: Command,
    f: HostCmdFn,
}

// SAFETY: `cmd` is always a `Command::Host`, which holds an `Arc<str>` and
// no `Rc` (see `HostCommands::add`), and `f` is a plain function pointer;
// sharing them between threads is sound.
unsafe impl Sync for SharedHost {}
unsafe impl Send for SharedHost {}

impl HostCommands {
    /// An empty table.
    pub fn new() -> HostCommands {
        HostCommands { entries: HashMap::default(), shadows_compiled: false }
    }

    /// Adds (or replaces) host command `name`, implemented by `f`.
    pub fn add(&mut self, name: &str, f: HostCmdFn) {
        let name = strip_global(name);
        self.shadows_compiled |= builtin_named(name).is_some_and(|d| d.compile.is_some());
        let host = SharedHost { cmd: Command::Host(Arc::from(name)), f };
        self.entries.insert(name.into(), host);
    }

    /// The function of host command `name`.
    pub fn function(&self, name: &str) -> Option<HostCmdFn> {
        self.entries.get(name).map(|h| h.f)
    }

    fn command(&self, name: &str) -> Option<&Command> {
        self.entries.get(name).map(|h| &h.cmd)
    }

    /// Is there a host command `name`?
    pub fn provides(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    fn entry(&self, name: &str) -> Option<&SharedHost> {
        self.entries.get(name)
    }

    /// The command names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(|k| &**k)
    }
}

impl Default for HostCommands {
    fn default() -> HostCommands {
        HostCommands::new()
    }
}

/// All commands of an interpreter: the built-ins, shared by every
/// interpreter of the process (a static table), the embedder's shared host
/// commands if any, plus this interpreter's changes: procs, host commands,
/// renamed and deleted commands. An idle agent that defines nothing pays
/// nothing for its command table.
#[derive(Default)]
pub struct CommandTable {
    /// Names bound differently from the base set (`None`: deleted).
    overlay: HashMap<Rc<str>, Option<Command>, std::hash::BuildHasherDefault<ahash::AHasher>>,
    /// Shared host commands, between the overlay and the built-ins.
    hosts: Option<Arc<HostCommands>>,
    /// Bumped whenever a compiled-inline command changes meaning.
    pub compile_epoch: u64,
    /// A compiled-inline command was ever redefined or deleted here: code
    /// may compile differently than with the base table.
    compiles_differently: bool,
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
        self.resolve(name).map(|(c, _)| c)
    }

    /// `name` resolved: its command and, when that is a shared host
    /// command, its function (one look-up for the commands agents call
    /// most, e.g. `agent_send`).
    pub fn resolve(&self, name: &str) -> Option<(&Command, Option<HostCmdFn>)> {
        let name = strip_global(name);
        if let Some(entry) = self.overlay.get(name) {
            return entry.as_ref().map(|c| (c, None));
        }
        if let Some(h) = self.hosts.as_ref().and_then(|h| h.entry(name)) {
            return Some((&h.cmd, Some(h.f)));
        }
        builtin_index().get(name).map(|b| (&b.0, None))
    }

    /// The binding of `name` without this interpreter's changes: a shared
    /// host command or a built-in.
    fn base(&self, name: &str) -> Option<&Command> {
        if let Some(c) = self.hosts.as_ref().and_then(|h| h.command(name)) {
            return Some(c);
        }
        builtin_index().get(name).map(|b| &b.0)
    }

    /// Attaches a table of shared host commands (replacing any other).
    pub fn set_hosts(&mut self, hosts: Option<Arc<HostCommands>>) {
        // Shadowing (or uncovering) a compiled-inline built-in changes how
        // scripts compile.
        let shadows = |h: &Option<Arc<HostCommands>>| h.as_ref().is_some_and(|h| h.shadows_compiled);
        if shadows(&self.hosts) || shadows(&hosts) {
            self.compile_epoch += 1;
        }
        // A restored snapshot names the shared host commands it had as
        // changes: the table attached now provides the same, so the
        // interpreter need not keep its own entries for them.
        if let Some(h) = &hosts {
            self.overlay.retain(|name, cmd| {
                !matches!(cmd, Some(Command::Host(own)) if **own == **name && h.entries.contains_key(&**name))
            });
        }
        self.hosts = hosts;
    }

    /// Whether scripts compile here as with the base set (built-ins and
    /// the shared host commands): procs and host commands of its own do
    /// not change that, only redefining or deleting a command that
    /// compiles inline.
    pub fn compiles_as_base(&self) -> bool {
        !self.compiles_differently
    }

    /// The attached shared host commands.
    pub fn hosts(&self) -> Option<&Arc<HostCommands>> {
        self.hosts.as_ref()
    }

    pub fn insert(&mut self, name: &str, cmd: Command) {
        let name = strip_global(name);
        if self.get(name).is_some_and(|old| old.compile_fn().is_some()) || cmd.compile_fn().is_some() {
            self.compile_epoch += 1;
            self.compiles_differently = true;
        }
        let same_as_base = match (&cmd, self.base(name)) {
            (Command::Builtin(new), Some(Command::Builtin(base))) => std::ptr::eq(*new, *base),
            (Command::Host(new), Some(Command::Host(base))) => new == base,
            _ => false,
        };
        if same_as_base {
            // Back to the base binding: no change to record.
            self.overlay.remove(name);
            return;
        }
        self.overlay.insert(Rc::from(name), Some(cmd));
    }

    pub fn remove(&mut self, name: &str) -> Option<Command> {
        let name = strip_global(name);
        let old = self.get(name).cloned();
        if old.as_ref().is_some_and(|c| c.compile_fn().is_some()) {
            self.compile_epoch += 1;
            self.compiles_differently = true;
        }
        if self.base(name).is_some() {
            self.overlay.insert(Rc::from(name), None);
        } else {
            self.overlay.remove(name);
        }
        old
    }

    /// The procs this interpreter defined (memory accounting).
    pub(crate) fn own_procs(&self) -> impl Iterator<Item = &Rc<Proc>> {
        self.overlay.values().filter_map(|c| match c {
            Some(Command::Proc(p)) => Some(p),
            _ => None,
        })
    }

    /// Every command name with its command (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Command)> {
        let hosts = self.hosts.as_deref();
        let in_hosts = move |n: &str| hosts.is_some_and(|h| h.entries.contains_key(n));
        let base = builtin_index()
            .iter()
            .filter(move |(n, _)| !self.overlay.contains_key(**n) && !in_hosts(n))
            .map(|(n, c)| (*n, &c.0));
        let shared = hosts
            .into_iter()
            .flat_map(|h| h.entries.iter())
            .filter(|(n, _)| !self.overlay.contains_key(&***n))
            .map(|(n, h)| (&**n, &h.cmd));
        let own = self.overlay.iter().filter_map(|(n, c)| c.as_ref().map(|c| (&**n, c)));
        base.chain(shared).chain(own)
    }

    /// The interpreter's commands beyond the built-in set, for snapshots:
    /// its changes (each name with its command, or `None` for a deleted
    /// built-in or shared host command) and the shared host commands it
    /// has not changed.
    pub fn changes(&self) -> impl Iterator<Item = (&str, Option<&Command>)> {
        let shared = self
            .hosts
            .as_deref()
            .into_iter()
            .flat_map(|h| h.entries.iter())
            .filter(|(n, _)| !self.overlay.contains_key(&***n))
            .map(|(n, h)| (&**n, Some(&h.cmd)));
        self.overlay.iter().map(|(n, c)| (&**n, c.as_ref())).chain(shared)
    }

    /// The interpreter's own changes in byte order of the names: what a
    /// snapshot writes. The shared host commands are the embedder's, not
    /// changes (it attaches its table again after a restore); an own
    /// binding identical to a shared one is never kept (`insert`).
    pub fn own_changes_by_name(&self) -> Vec<(&str, Option<&Command>)> {
        let mut own: Vec<(&str, Option<&Command>)> = self.overlay.iter().map(|(n, c)| (&**n, c.as_ref())).collect();
        own.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        own
    }

    /// How many names this table binds itself (not through the base set
    /// or the shared host commands).
    #[cfg(test)]
    pub(crate) fn own_changes(&self) -> usize {
        self.overlay.len()
    }

    /// Room for `n` more changes (restoring a snapshot).
    pub fn reserve_changes(&mut self, n: usize) {
        self.overlay.reserve(n);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What a snapshot writes: the interpreter's own changes in byte order,
    /// an own deletion of a shared name among them, and none of the shared
    /// host commands themselves (nor an own binding identical to one).
    #[test]
    fn own_changes_by_name_are_sorted_and_leave_out_the_shared_commands() {
        let mut shared = HostCommands::new();
        for name in ["m", "b", "zz", "a", "q"] {
            shared.add(name, |_, _| crate::HostResult::Done(Value::empty()));
        }
        let mut table = CommandTable::default();
        table.set_hosts(Some(Arc::new(shared)));
        for name in ["zzz", "c", "q", "0"] {
            table.insert(name, Command::Host(Arc::from(name)));
        }
        table.restore_change("m", None);
        let own: Vec<(&str, bool)> = table.own_changes_by_name().into_iter().map(|(n, c)| (n, c.is_some())).collect();
        assert_eq!(own, [("0", true), ("c", true), ("m", false), ("zzz", true)]);
    }
}
