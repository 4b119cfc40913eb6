//! The crate's integration tests, one module per subject, built as one
//! binary: each test binary is compiled with its own copies of the
//! dependencies' generic code and linked on its own, which made ~35
//! binaries most of CI's build time. Run one subject with
//! `cargo test -p <crate> --test it <module>::`.

mod embedding;
mod snapshot_suite;
