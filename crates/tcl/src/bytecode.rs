//! The instruction set: the contract between the compiler and the VM.

/// A compiled script, proc body or expression.
pub struct ByteCode {}
