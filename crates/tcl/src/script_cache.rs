//! A per-thread cache of compiled scripts: a node's workers start many
//! agents from the same few scripts (spawn loops, forks, submits of one
//! program), and compiling even `set x 1` costs some twenty allocations; an
//! agent that arrived from another node compiles its loop bodies again
//! (a snapshot keeps values as strings).
//!
//! Compiled code holds `Rc` values, which must never be shared between
//! interpreters (an agent moves between worker threads). So the cache keeps
//! a template no interpreter ever sees, and every hit is a detached copy
//! ([`ByteCode::detached`]): the same instructions, fresh literals.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use crate::bytecode::ByteCode;
use crate::commands::{CommandTable, HostCommands};
use crate::compile::{compile_script, Mode};

/// Scripts kept per thread (the most recently used last).
const ENTRIES: usize = 32;
/// Longer scripts are compiled each time: the copy would cost about as much.
const MAX_SOURCE: usize = 16 * 1024;

struct Entry {
    source: Box<str>,
    /// The shared host commands it was compiled with (they can shadow
    /// built-ins that compile inline).
    hosts: Option<Arc<HostCommands>>,
    mode: Mode,
    template: ByteCode,
}

thread_local! {
    static CACHE: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// Compiles `source` as a script for `commands`, from this thread's cache
/// when the table compiles as the base one (built-ins plus shared host
/// commands): only then is the result a function of the source and mode.
pub(crate) fn compile_cached(commands: &CommandTable, source: &str, mode: Mode) -> ByteCode {
    if source.len() > MAX_SOURCE || !commands.compiles_as_base() {
        return compile_script(commands, source, mode);
    }
    let same_hosts = |h: &Option<Arc<HostCommands>>| match (h, commands.hosts()) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    };
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let hit = cache.iter().rposition(|e| {
            &*e.source == source
                && same_hosts(&e.hosts)
                && e.template.compile_epoch == commands.compile_epoch
                && e.mode == mode
        });
        if let Some(at) = hit {
            let entry = cache.remove(at);
            let code = entry.template.detached();
            cache.push(entry);
            return code;
        }
        let code = compile_script(commands, source, mode);
        if cache.len() == ENTRIES {
            cache.remove(0);
        }
        cache.push(Entry { source: source.into(), hosts: commands.hosts().cloned(), mode, template: code.detached() });
        code
    })
}

impl ByteCode {
    /// A copy sharing no `Rc` with `self` (literals, local names and the
    /// source are copied; their cached representations are rebuilt when
    /// used).
    pub(crate) fn detached(&self) -> ByteCode {
        ByteCode {
            kind: self.kind,
            // Shared: plain data behind `Arc`s.
            code: self.code.clone(),
            literals: self.literals.iter().map(|v| v.detached()).collect(),
            aux: self.aux.clone(),
            ranges: self.ranges.clone(),
            cmds: self.cmds.clone(),
            locals: self.locals.iter().map(|l| Rc::from(&**l)).collect(),
            source: Rc::from(&*self.source),
            compile_epoch: self.compile_epoch,
            in_proc: self.in_proc,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::interp::Interp;

    #[test]
    fn a_cached_script_runs_like_a_fresh_one_and_shares_nothing() {
        let script = "set l [list a b]; lappend l c; set d [dict create k v]; dict set d k2 v2; list $l $d [string length hello]";
        let first = Interp::new().eval(script).unwrap();
        // The second interpreter gets the cached copy: same result, and
        // mutating its values must not reach a third.
        let mut second = Interp::new();
        assert_eq!(second.eval(script).unwrap(), first);
        assert_eq!(Interp::new().eval(script).unwrap(), first);
    }

    #[test]
    fn procs_of_ones_own_do_not_keep_a_table_from_the_cache_but_redefining_set_does() {
        let mut i = Interp::new();
        i.eval("proc double {x} { expr {$x * 2} }").unwrap();
        assert!(i.commands.compiles_as_base());
        assert_eq!(i.eval("set y 4; double $y").unwrap(), "8");
        i.eval("rename set plain_set").unwrap();
        assert!(!i.commands.compiles_as_base());
    }

    #[test]
    fn a_changed_command_table_is_not_served_from_the_cache() {
        let script = "set x 1; incr x";
        assert_eq!(Interp::new().eval(script).unwrap(), "2");
        let mut i = Interp::new();
        i.eval("proc incr {args} { return overridden }").unwrap();
        assert_eq!(i.eval(script).unwrap(), "overridden");
        assert_eq!(Interp::new().eval(script).unwrap(), "2");
    }
}
