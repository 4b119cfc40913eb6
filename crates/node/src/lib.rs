//! An Itinerant node (layer 2 of the design): the transport between
//! nodes, the store that keeps agents across restarts ([`store`]), and the
//! handoff that moves them between nodes exactly once ([`handoff`]), on top
//! of the agent runtime of `itinerant-core`.
//!
//! The framing of the node-to-node byte stream ([`net::frame`]), a
//! pure decoder that a connection feeds with whatever bytes arrive and that
//! refuses garbage, oversized and truncated frames with a reason, so the
//! connection can be closed and logged while the node serves everyone else.
//! The same port serves clients (the `itin` CLI) with the request/response
//! protocol of [`control`]. Every connection runs over mutual TLS under the
//! cluster's CA ([`net::tls`], certificates from [`net::pki`]).

pub mod authz;
pub mod cluster;
pub mod control;
pub mod dashboard;
pub mod endpoints;
pub mod fipa;
pub mod front;
#[cfg(test)]
mod golden;
pub mod handoff;
pub mod image;
mod kv;
pub mod libraries;
pub mod metrics;
pub mod net;
pub mod node;
pub mod objects;
pub mod placement;
pub mod policy;
pub mod proto;
pub mod services;
pub mod signed;
pub mod store;
pub mod wasm_code;
