//! Built-in commands. Each family lives in its own file; this module lists
//! them all as static definitions.

use crate::commands::BuiltinDef;
use crate::compile_cmds as cc;
use crate::{Exception, Interp, Value};

pub mod core;
pub mod dict;
pub mod format;
pub mod list;
pub mod regexp;
pub mod string;

/// A built-in command that needs no script evaluation. `args[0]` is the
/// command name as invoked (as Tcl's objv). A native may start a code frame
/// (as `apply` does); then its return value is ignored and the frame's
/// result becomes the command's.
pub type NativeFn = fn(&mut Interp, &[Value]) -> Result<Value, Exception>;

const fn native(name: &'static str, f: NativeFn) -> BuiltinDef {
    BuiltinDef { name, native: Some(f), compile: None }
}

const fn compiled(name: &'static str, c: crate::compile::CompileFn) -> BuiltinDef {
    BuiltinDef { name, native: None, compile: Some(c) }
}

static BUILTINS: &[BuiltinDef] = &[
    compiled("set", cc::compile_set),
    compiled("incr", cc::compile_incr),
    compiled("append", cc::compile_append),
    compiled("lappend", cc::compile_lappend),
    compiled("expr", cc::compile_expr),
    compiled("if", cc::compile_if),
    compiled("while", cc::compile_while),
    compiled("for", cc::compile_for),
    compiled("foreach", cc::compile_foreach),
    compiled("lmap", cc::compile_lmap),
    compiled("catch", cc::compile_catch),
    compiled("try", cc::compile_try),
    compiled("eval", cc::compile_eval),
    compiled("uplevel", cc::compile_uplevel),
    compiled("subst", cc::compile_subst),
    compiled("time", cc::compile_time),
    compiled("switch", cc::compile_switch),
    native("proc", core::proc_cmd),
    native("rename", core::rename_cmd),
    native("apply", core::apply_cmd),
    BuiltinDef { name: "return", native: Some(core::return_cmd), compile: Some(cc::compile_return) },
    native("error", core::error_cmd),
    native("throw", core::throw_cmd),
    native("break", core::break_cmd),
    native("continue", core::continue_cmd),
    native("unset", core::unset_cmd),
    native("global", core::global_cmd),
    native("upvar", core::upvar_cmd),
    native("lassign", core::lassign_cmd),
    native("info", core::info_cmd),
    native("array", core::array_cmd),
    native("puts", core::puts_cmd),
    native("clock", core::clock_cmd),
    native("llength", list::llength_cmd),
    native("lindex", list::lindex_cmd),
    native("lrange", list::lrange_cmd),
    native("linsert", list::linsert_cmd),
    native("lreplace", list::lreplace_cmd),
    native("lsearch", list::lsearch_cmd),
    native("lsort", list::lsort_cmd),
    native("lreverse", list::lreverse_cmd),
    native("lrepeat", list::lrepeat_cmd),
    native("concat", list::concat_cmd),
    native("join", list::join_cmd),
    native("split", list::split_cmd),
    native("list", core::list_cmd),
    native("lset", core::lset_cmd),
    BuiltinDef { name: "dict", native: Some(core::dict_cmd), compile: Some(cc::compile_dict) },
    native("regexp", regexp::regexp_cmd),
    native("format", format::format_cmd),
    native("scan", format::scan_cmd),
    native("regsub", regexp::regsub_cmd),
    native("exit", core::exit_cmd),
    native("flush", core::flush_cmd),
    native("file", core::file_cmd),
    native("string", string::string_cmd),
];

/// Every built-in command.
pub fn builtins() -> impl Iterator<Item = &'static BuiltinDef> {
    BUILTINS.iter()
}
