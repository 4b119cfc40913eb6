//! WebAssembly agents with strong mobility (`docs/WASM.md`).
//!
//! A submitted module is instrumented once (`instrument`: safe points in
//! loops and at function entries, mutable globals exported, Binaryen's
//! Asyncify limited to the imports that suspend) and becomes a code segment
//! named by its sha-256. An agent is an instance of it in its own wasmtime
//! store (`program`), preempted by fuel at safe points, its memory bounded
//! by a resource limiter; at every stop its state is linear memory, globals
//! and a little host state (`snapshot`), restored into a fresh instance on
//! any node that has the module (`factory`).

pub mod factory;
pub mod instrument;
pub mod program;
pub mod snapshot;

pub use factory::{MemoryModules, ModuleStore, WasmFactory};
pub use instrument::{content_hash, instrument};
pub use program::{Calls, Code, CodeCache, WasmProgram};
