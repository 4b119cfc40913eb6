//! Transport between nodes: framing, mutual TLS and the cluster's
//! certificate authority; lanes next.

pub mod frame;
pub mod pki;
pub mod tls;
