//! Agent Tcl: a Tcl 8.6 interpreter whose whole execution state is data.
//!
//! Scripts compile to bytecode ([`bytecode`]) that a virtual machine runs
//! with explicit frames, operand stack and program counters, so that the
//! interpreter can stop at any instruction, be snapshotted to bytes and
//! continue elsewhere. See `ARCHITECTURE.md` at the repository root.
//!
//! ```
//! use itinerant_tcl::Interp;
//! let mut interp = Interp::new();
//! let r = interp.eval("proc sq x { expr {$x * $x} }; sq 12").unwrap();
//! assert_eq!(r, "144");
//! ```

pub mod bytecode;
pub mod cmds;
pub mod commands;
pub mod compile;
mod compile_cmds;
pub mod error;
mod expr;
pub mod glob;
pub mod index;
pub mod interp;
pub mod list;
pub mod memory;
pub mod number;
pub mod ops;
pub mod parser;
mod script_cache;
pub mod snapshot;
pub mod value;
pub mod vars;
mod vm;
mod vm_dict;
pub mod vm_sort;
mod vm_vars;

pub use error::Exception;
pub use interp::{ErrorReport, HostRequest, HostResult, Interp, Outcome};
pub use value::Value;
