//! Dashboard sessions: how a browser gets the rights of a CLI client.
//!
//! A client that signed in on its (mutual TLS) connection as an owner
//! asks for a session (`itin dashboard`, `OwnerRequest::DashboardSession`);
//! the node answers a random token bound to whom that connection acts for
//! (`authz::Acting`), and the browser opening `/?session=T` keeps it as a
//! cookie. The dashboard then decides every action as the CLI would, with
//! `authz::check`. The node's own token (`auth.rs`, readable only by the
//! node's user) stays the operator's key to everything.
//!
//! Plain data: the caller gives the time.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::authz::Acting;

/// How long a session lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 3600);
/// Sessions kept at once; a new one beyond replaces the oldest.
pub const MAX_SESSIONS: usize = 256;

/// The live sessions, by token.
#[derive(Default)]
pub struct SessionTable {
    sessions: HashMap<String, (Acting, Instant)>,
}

impl SessionTable {
    /// Records `token` for `acting` until `now + SESSION_LIFETIME`.
    pub fn insert(&mut self, token: String, acting: Acting, now: Instant) {
        self.sessions.retain(|_, (_, until)| *until > now);
        if self.sessions.len() >= MAX_SESSIONS {
            let oldest = self.sessions.iter().min_by_key(|(_, (_, until))| *until).map(|(t, _)| t.clone());
            if let Some(t) = oldest {
                self.sessions.remove(&t);
            }
        }
        self.sessions.insert(token, (acting, now + SESSION_LIFETIME));
    }

    /// Whom the session `token` acts for, if it is live.
    pub fn resolve(&self, token: &str, now: Instant) -> Option<Acting> {
        // Tokens are random: a lookup by hash leaks nothing worth a
        // constant-time scan of every session.
        self.sessions.get(token).filter(|(_, until)| *until > now).map(|(acting, _)| acting.clone())
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }
}

/// A node's sessions and where its dashboard listens (set when it starts).
#[derive(Default)]
pub struct Sessions {
    table: Mutex<SessionTable>,
    address: OnceLock<SocketAddr>,
}

impl Sessions {
    /// A new session for `acting`: its token.
    pub fn open(&self, acting: Acting) -> Result<String, String> {
        let token = super::auth::new_token()?;
        self.table.lock().unwrap_or_else(|e| e.into_inner()).insert(token.clone(), acting, Instant::now());
        Ok(token)
    }

    pub fn resolve(&self, token: &str) -> Option<Acting> {
        self.table.lock().unwrap_or_else(|e| e.into_inner()).resolve(token, Instant::now())
    }

    /// The dashboard's address, once it serves.
    pub fn address(&self) -> Option<SocketAddr> {
        self.address.get().copied()
    }

    pub(super) fn set_address(&self, addr: SocketAddr) {
        let _ = self.address.set(addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(name: &str, byte: u8) -> itinerant_core::Owner {
        itinerant_core::OwnerKey::from_secret(name, [byte; 32]).unwrap().owner()
    }

    #[test]
    fn a_session_acts_for_its_owner_until_it_expires() {
        let mut table = SessionTable::default();
        let t0 = Instant::now();
        table.insert("abc".into(), Acting::Owner(owner("bob", 2)), t0);
        assert_eq!(table.resolve("abc", t0 + Duration::from_secs(60)), Some(Acting::Owner(owner("bob", 2))));
        assert_eq!(table.resolve("abd", t0), None);
        assert_eq!(table.resolve("abc", t0 + SESSION_LIFETIME), None);
    }

    #[test]
    fn expired_sessions_go_and_the_table_stays_bounded() {
        let mut table = SessionTable::default();
        let t0 = Instant::now();
        for i in 0..MAX_SESSIONS {
            table.insert(format!("t{i}"), Acting::Nobody, t0 + Duration::from_millis(i as u64));
        }
        assert_eq!(table.len(), MAX_SESSIONS);
        let later = t0 + Duration::from_secs(1);
        table.insert("new".into(), Acting::Nobody, later);
        assert_eq!(table.len(), MAX_SESSIONS);
        assert_eq!(table.resolve("t0", later), None, "the oldest made room");
        assert!(table.resolve("t1", later).is_some() && table.resolve("new", later).is_some());
        table.insert("after".into(), Acting::Nobody, later + SESSION_LIFETIME);
        assert_eq!(table.len(), 1, "every expired session was dropped");
    }

    #[test]
    fn tokens_are_fresh() {
        let sessions = Sessions::default();
        let (a, b) = (sessions.open(Acting::Nobody).unwrap(), sessions.open(Acting::Nobody).unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(sessions.resolve(&a), Some(Acting::Nobody));
    }
}
