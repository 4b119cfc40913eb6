//! The client requests about owners (control protocol tags 20–29): a
//! submission signed by its owner, and reloading the node's policy; and
//! the guard that refuses a signed submission seen before (a replay).
//!
//! A signed submission is checked in this order: sizes, signature,
//! freshness (signed within [`FRESHNESS`] of the node's clock), not seen
//! before, then the policy (in `Runtime::spawn_signed`). Only a
//! submission whose signature verifies is remembered, so junk cannot
//! crowd out the real ones.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use itinerant_core::owner::{Credential, Owner};

use crate::control::{NodeView, ReplyBody};
use crate::image::{put_credential, read_credential};
use crate::policy::NodePolicy;
use crate::proto::{DecodeError, Reader};

/// How far from the node's clock a submission may have been signed.
pub const FRESHNESS_MS: u64 = 5 * 60 * 1000;
/// Signed submissions remembered at most (within `FRESHNESS_MS`).
pub const MAX_REMEMBERED: usize = 100_000;

const TAG_SIGNED_SUBMIT: u8 = 20;
const TAG_RELOAD_POLICY: u8 = 21;
const TAG_AUTHENTICATE: u8 = 22;
const TAG_DASHBOARD_SESSION: u8 = 23;

/// A client request about owners.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerRequest {
    /// Start the agent its owner signed; the answer is `Submitted`.
    SignedSubmit(Box<Credential>),
    /// Read the policy file again; the answer is `PolicyReloaded`.
    ReloadPolicy,
    /// Act as `owner` on this connection: `signature` signs the
    /// connection's channel binding (`owner::session_bytes`); the answer is
    /// `Done`. Served by the connection (`control::serve_client`), which
    /// alone knows the binding.
    Authenticate { owner: Owner, signature: [u8; 64] },
    /// A dashboard session acting for whom this connection acts
    /// (`dashboard/sessions.rs`); the answer is `DashboardSession`.
    /// Served by the connection, which alone knows whom it acts for.
    DashboardSession,
}

impl OwnerRequest {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            OwnerRequest::SignedSubmit(c) => {
                out.push(TAG_SIGNED_SUBMIT);
                put_credential(out, c);
            }
            OwnerRequest::ReloadPolicy => out.push(TAG_RELOAD_POLICY),
            OwnerRequest::DashboardSession => out.push(TAG_DASHBOARD_SESSION),
            OwnerRequest::Authenticate { owner, signature } => {
                out.push(TAG_AUTHENTICATE);
                out.extend_from_slice(&owner.key);
                crate::proto::put_str(out, &owner.name);
                out.extend_from_slice(signature);
            }
        }
    }

    /// Reads the request whose tag (20–29) was just read.
    pub(crate) fn decode(tag: u8, r: &mut Reader) -> Result<OwnerRequest, DecodeError> {
        match tag {
            TAG_SIGNED_SUBMIT => Ok(OwnerRequest::SignedSubmit(Box::new(read_credential(r)?))),
            TAG_RELOAD_POLICY => Ok(OwnerRequest::ReloadPolicy),
            TAG_DASHBOARD_SESSION => Ok(OwnerRequest::DashboardSession),
            TAG_AUTHENTICATE => {
                let key: [u8; 32] = r.take(32)?.try_into().map_err(|_| DecodeError("short owner key".into()))?;
                let name = r.str()?;
                let signature = r.take(64)?.try_into().map_err(|_| DecodeError("short signature".into()))?;
                Ok(OwnerRequest::Authenticate { owner: Owner { key, name }, signature })
            }
            t => Err(DecodeError(format!("unknown request {t}"))),
        }
    }
}

/// Signatures of the submissions accepted lately, with when they were
/// signed (plain data; the caller gives the time).
#[derive(Default)]
pub struct SeenSubmissions {
    seen: HashMap<[u8; 64], u64>,
}

impl SeenSubmissions {
    /// Records `c` (signed at `c.submission.issued_at_ms`, fresh); refuses
    /// one seen before, and any when full of fresh ones.
    pub fn record(&mut self, c: &Credential, now_ms: u64) -> Result<(), String> {
        if self.seen.contains_key(&c.signature) {
            return Err("this signed submission was submitted before (a replay)".into());
        }
        if self.seen.len() >= MAX_REMEMBERED {
            // Older than the window: a replay of it is refused as stale.
            self.seen.retain(|_, at| at.abs_diff(now_ms) <= FRESHNESS_MS);
            if self.seen.len() >= MAX_REMEMBERED {
                return Err("too many submissions lately; try again later".into());
            }
        }
        self.seen.insert(c.signature, c.submission.issued_at_ms);
        Ok(())
    }
}

/// What the node keeps about owners: its policy (none: every owner, see
/// `docs/SECURITY.md`) and the submissions seen.
#[derive(Default)]
pub struct Owners {
    pub policy: Option<Arc<NodePolicy>>,
    pub seen: Mutex<SeenSubmissions>,
    /// The dashboard's sessions, opened by clients.
    pub dashboard: crate::dashboard::sessions::Sessions,
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Serves a request about owners.
pub fn handle(node: &NodeView, req: OwnerRequest) -> Result<ReplyBody, String> {
    let rt = node.runtime;
    match req {
        OwnerRequest::SignedSubmit(c) => {
            let s = &c.submission;
            crate::control::check_submission(rt, &s.script, s.name.as_deref(), &s.vars)?;
            let refuse = |why: String| {
                tracing::warn!(node = %rt.node(), "refused a submission of {}: {why}", c.owner.describe());
                why
            };
            c.verify().map_err(refuse)?;
            let now = now_ms();
            c.check_fresh(now, FRESHNESS_MS).map_err(refuse)?;
            node.owners.seen.lock().unwrap_or_else(|e| e.into_inner()).record(&c, now).map_err(refuse)?;
            let id = rt.spawn_signed(*c)?;
            rt.flush_store();
            Ok(ReplyBody::Submitted { id: id.to_string() })
        }
        OwnerRequest::ReloadPolicy => match &node.owners.policy {
            Some(p) => p.reload().map(|summary| ReplyBody::PolicyReloaded { summary }),
            None => Err(format!("node {} runs without a policy (start it with --policy FILE)", rt.node())),
        },
        // Served by the connection, which knows its channel binding.
        OwnerRequest::Authenticate { .. } | OwnerRequest::DashboardSession => {
            Err("this request is served by the connection".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use itinerant_core::{OwnerKey, Submission};

    fn signed(nonce: u64, at: u64) -> Credential {
        let s = Submission { script: "x".into(), name: None, vars: vec![], issued_at_ms: at, nonce };
        OwnerKey::from_secret("a", [1; 32]).unwrap().sign(s)
    }

    #[test]
    fn a_replay_is_refused() {
        let mut seen = SeenSubmissions::default();
        seen.record(&signed(1, 1000), 1000).unwrap();
        seen.record(&signed(2, 1000), 1000).unwrap();
        assert!(seen.record(&signed(1, 1000), 2000).unwrap_err().contains("replay"));
    }

    #[test]
    fn requests_round_trip() {
        for req in [OwnerRequest::SignedSubmit(Box::new(signed(7, 9))), OwnerRequest::ReloadPolicy] {
            let mut bytes = Vec::new();
            req.encode(&mut bytes);
            let mut r = Reader::new(&bytes[1..]);
            assert_eq!(OwnerRequest::decode(bytes[0], &mut r).unwrap(), req);
            assert_eq!(r.left(), 0);
        }
    }
}
