//! Who may use a node's dashboard: whoever presents its token. The token
//! is 32 random bytes (hex), made at start, printed in the dashboard's URL
//! in the node's log, and kept in `DATA/dashboard.token` (mode 0600) when
//! the node has a data directory, so it survives restarts. A browser
//! opens `/?token=T` once and gets it as a cookie (HttpOnly,
//! SameSite=Strict: another site's page cannot make the browser use it);
//! scripts send `Authorization: Bearer T`. See docs/SECURITY.md.

use std::path::Path;

/// The cookie a browser keeps the token in.
pub const COOKIE: &str = "itin_dashboard";
/// Longest token file read.
const MAX_TOKEN_FILE: u64 = 256;

/// A fresh token: 32 random bytes as hex.
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for the dashboard token: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The token kept in `dir/dashboard.token`, made (0600) if there is none.
pub fn token_in(dir: &Path) -> Result<String, String> {
    let path = dir.join("dashboard.token");
    if let Ok(meta) = std::fs::metadata(&path) {
        if meta.len() > MAX_TOKEN_FILE {
            return Err(format!("{} is larger than {MAX_TOKEN_FILE} bytes", path.display()));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let token = text.trim();
        if token.len() < 32 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("{} does not hold a token (32 or more letters and digits)", path.display()));
        }
        return Ok(token.to_owned());
    }
    let token = new_token()?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    write_private(&path, &token).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(token)
}

fn write_private(path: &Path, token: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(format!("{token}\n").as_bytes())
}

/// Compares in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Does a request carry `token`, as a bearer token or in the cookie?
pub fn authorized(token: &str, authorization: Option<&str>, cookie: Option<&str>) -> bool {
    let bearer = authorization.and_then(|h| h.strip_prefix("Bearer ")).is_some_and(|t| same(t.trim(), token));
    let cookie = cookie.is_some_and(|c| {
        c.split(';').filter_map(|kv| kv.trim().split_once('=')).any(|(k, v)| k == COOKIE && same(v, token))
    });
    bearer || cookie
}

/// The cookie a browser keeps a session's token in (`sessions.rs`).
pub const SESSION_COOKIE: &str = "itin_session";

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: Option<&'a str>, name: &str) -> Option<&'a str> {
    header?.split(';').filter_map(|kv| kv.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// The `Set-Cookie` value that gives a browser cookie `name`.
pub fn set_cookie(name: &str, value: &str) -> String {
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_or_cookie_with_the_right_token_only() {
        let t = "a".repeat(64);
        assert!(authorized(&t, Some(&format!("Bearer {t}")), None));
        assert!(authorized(&t, None, Some(&format!("x=1; {COOKIE}={t}; y=2"))));
        assert!(!authorized(&t, None, None));
        assert!(!authorized(&t, Some("Bearer aaaa"), None));
        assert!(!authorized(&t, Some(&format!("Basic {t}")), None));
        assert!(!authorized(&t, None, Some(&format!("other={t}"))));
        assert!(!authorized(&t, None, Some(&format!("{COOKIE}={t}b"))));
    }

    #[test]
    fn tokens_are_random_hex_and_kept_private_in_the_data_directory() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token().unwrap());
        let dir = std::env::temp_dir().join(format!("itin-token-{}-{}", std::process::id(), &a[..8]));
        let t = token_in(&dir).unwrap();
        assert_eq!(token_in(&dir).unwrap(), t);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("dashboard.token")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.join("dashboard.token"), "short\n").unwrap();
        assert!(token_in(&dir).unwrap_err().contains("does not hold a token"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
