//! Signed cookies: how a `per-call` adapter keeps a client's state without
//! keeping it. With each answer the node hands the client a cookie (the
//! servant's `cookie` state, an expiry, and an HMAC-SHA256 tag); the client
//! sends it back with its next call to that object, and the fresh servant
//! starts from the state inside — if the tag matches and it has not expired.
//!
//! The tag covers the object (`ADAPTER/ID`) as well, so a cookie of one
//! object is refused by another. The key is the node's: random per
//! process, or kept in the node's store when it has one (so cookies survive
//! a restart). Pure functions of key, bytes and clock; no I/O here.
//!
//! Layout: `version (1) | expires, unix ms (8, big-endian) | state | tag (32)`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ring::hmac;

/// Largest state a cookie carries (the servant's `cookie` variable).
pub const MAX_STATE: usize = 4096;
/// How long a cookie is good for after it was handed out.
pub const TTL: Duration = Duration::from_secs(3600);
/// Length of the key kept in the store.
pub const SECRET_LEN: usize = 32;
const VERSION: u8 = 1;
const HEADER: usize = 1 + 8;
const TAG: usize = 32;
/// Largest cookie a call may carry.
pub const MAX_COOKIE: usize = HEADER + MAX_STATE + TAG;

/// Why a cookie was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    Malformed(String),
    /// The tag does not match: changed on the way, or made for another
    /// object or by another node.
    Forged,
    Expired,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Malformed(why) => write!(f, "cookie refused: {why}"),
            Refused::Forged => {
                write!(f, "cookie refused: its signature does not match (tampered with, or not from this object)")
            }
            Refused::Expired => write!(f, "cookie refused: expired"),
        }
    }
}

/// The key cookies are signed with.
pub struct CookieKey(hmac::Key);

/// Now, in unix milliseconds (the clock cookies expire by).
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// A fresh random secret for a key.
pub fn new_secret() -> Result<[u8; SECRET_LEN], String> {
    let mut secret = [0u8; SECRET_LEN];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut secret)
        .map_err(|_| "no randomness for the cookie key".to_string())?;
    Ok(secret)
}

impl CookieKey {
    pub fn from_secret(secret: &[u8]) -> CookieKey {
        CookieKey(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    /// What the tag covers: the object's name, then the cookie's bytes.
    fn covered(object: &str, signed: &[u8]) -> Vec<u8> {
        let mut input = Vec::with_capacity(4 + object.len() + signed.len());
        input.extend_from_slice(&(object.len() as u32).to_be_bytes());
        input.extend_from_slice(object.as_bytes());
        input.extend_from_slice(signed);
        input
    }

    /// The cookie for `object` (`ADAPTER/ID`) holding `state`, good until
    /// `now + TTL`.
    pub fn seal(&self, object: &str, state: &str, now: u64) -> Result<Vec<u8>, String> {
        if state.len() > MAX_STATE {
            return Err(format!("cookie state of {} bytes, over the limit of {MAX_STATE}", state.len()));
        }
        let mut out = Vec::with_capacity(HEADER + state.len() + TAG);
        out.push(VERSION);
        out.extend_from_slice(&now.saturating_add(TTL.as_millis() as u64).to_be_bytes());
        out.extend_from_slice(state.as_bytes());
        let tag = hmac::sign(&self.0, &CookieKey::covered(object, &out));
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// The state inside a cookie for `object`, if its tag matches and it
    /// has not expired at `now`.
    pub fn open(&self, object: &str, cookie: &[u8], now: u64) -> Result<String, Refused> {
        if cookie.len() < HEADER + TAG || cookie.len() > MAX_COOKIE {
            return Err(Refused::Malformed(format!(
                "{} bytes, not between {} and {MAX_COOKIE}",
                cookie.len(),
                HEADER + TAG
            )));
        }
        let (signed, tag) = cookie.split_at(cookie.len() - TAG);
        // Constant-time comparison (ring).
        hmac::verify(&self.0, &CookieKey::covered(object, signed), tag).map_err(|_| Refused::Forged)?;
        if signed[0] != VERSION {
            return Err(Refused::Malformed(format!("version {}", signed[0])));
        }
        let expires = u64::from_be_bytes(signed[1..HEADER].try_into().expect("8 bytes"));
        if now >= expires {
            return Err(Refused::Expired);
        }
        String::from_utf8(signed[HEADER..].to_vec()).map_err(|_| Refused::Malformed("state is not UTF-8".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_cookie_opens_and_any_changed_byte_is_refused() {
        let key = CookieKey::from_secret(b"0123456789abcdef0123456789abcdef");
        let cookie = key.seal("cart/c1", "apples 3", 1_000).unwrap();
        assert_eq!(key.open("cart/c1", &cookie, 1_001), Ok("apples 3".into()));
        for i in 0..cookie.len() {
            let mut bad = cookie.clone();
            bad[i] ^= 0x01;
            assert_eq!(key.open("cart/c1", &bad, 1_001), Err(Refused::Forged), "byte {i}");
        }
        // Another object, another key: refused too.
        assert_eq!(key.open("cart/c2", &cookie, 1_001), Err(Refused::Forged));
        let other = CookieKey::from_secret(b"another key");
        assert_eq!(other.open("cart/c1", &cookie, 1_001), Err(Refused::Forged));
    }

    #[test]
    fn cookies_expire_and_are_bounded() {
        let key = CookieKey::from_secret(&new_secret().unwrap());
        let cookie = key.seal("a/b", "", 5).unwrap();
        let expires = 5 + TTL.as_millis() as u64;
        assert_eq!(key.open("a/b", &cookie, expires - 1), Ok(String::new()));
        assert_eq!(key.open("a/b", &cookie, expires), Err(Refused::Expired));
        assert!(key.seal("a/b", &"x".repeat(MAX_STATE + 1), 0).is_err());
        let big = key.seal("a/b", &"x".repeat(MAX_STATE), 0).unwrap();
        assert_eq!(big.len(), MAX_COOKIE);
        assert!(matches!(key.open("a/b", &[0; 10], 0), Err(Refused::Malformed(_))));
        assert!(matches!(key.open("a/b", &vec![0; MAX_COOKIE + 1], 0), Err(Refused::Malformed(_))));
        assert!(Refused::Forged.to_string().contains("tampered"));
    }
}
