//! The crate's integration tests, one module per subject, built as one
//! binary: each test binary is compiled with its own copies of the
//! dependencies' generic code and linked on its own, which made ~35
//! binaries most of CI's build time. Run one subject with
//! `cargo test -p <crate> --test it <module>::`.
//! `hostile.rs` stays a binary of its own: it measures round-trip
//! latency, which tests of other modules running beside it would disturb.

mod common;
mod control;
mod dashboard;
mod etcd;
mod fipa_http;
mod front;
mod libraries;
mod migration;
mod objects;
mod oob;
mod ordering;
mod owners;
mod platform_moves;
mod resources;
mod services;
mod tls;
mod two_nodes;
