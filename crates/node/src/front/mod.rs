//! The front tier: a node fronting a replicated service (an adapter
//! served by several back-end nodes) dispatches calls to the back ends by
//! a policy and keeps only those that answer (`docs/OBJECTS.md`, "Front
//! tier"). The decisions are pure (`policy.rs`, `backends.rs`); the file
//! is `config.rs`.

pub mod backends;
pub mod config;
pub mod policy;
