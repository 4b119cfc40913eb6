//! Agent Tcl: a Tcl 8.6 interpreter whose whole execution state is data.
//!
//! Scripts compile to bytecode ([`bytecode`]) that a virtual machine runs
//! with explicit frames, operand stack and program counters, so that the
//! interpreter can stop at any instruction, be snapshotted to bytes and
//! continue elsewhere. See `ARCHITECTURE.md` at the repository root.

pub mod bytecode;
pub mod cmds;
pub mod error;
pub mod interp;
pub mod list;
pub mod number;
pub mod ops;
pub mod value;

pub use error::Exception;
pub use interp::Interp;
pub use value::Value;
