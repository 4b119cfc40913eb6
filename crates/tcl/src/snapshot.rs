//! Snapshot and restore of the whole interpreter state (TEMPORARY stub).
use crate::Interp;

pub fn save(_interp: &Interp) -> Result<Vec<u8>, String> {
    Err("snapshots not implemented yet".into())
}

pub fn restore(_bytes: &[u8]) -> Result<Interp, String> {
    Err("snapshots not implemented yet".into())
}
