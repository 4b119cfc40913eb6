//! Built-in commands. Each family lives in its own file and exports a table
//! of `(name, function)` pairs.

pub mod format;

use crate::{Exception, Interp, Value};

/// A built-in command that needs no script evaluation. `args[0]` is the
/// command name as invoked (as Tcl's objv).
pub type NativeFn = fn(&mut Interp, &[Value]) -> Result<Value, Exception>;
