//! Transport between nodes: framing now; connections, TLS and lanes next.

pub mod frame;
