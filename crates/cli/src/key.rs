//! `itin key new|show`: owner key files, and reading one to sign a
//! submission (`itin submit --key FILE`, or `$ITIN_KEY`).
//!
//! A key file is a small TOML file, readable by its user only (mode 0600):
//!
//! ```toml
//! name = "alice"
//! public = "ed25519:…"   # what a node's policy lists (`itin key show`)
//! secret = "…"           # 64 hex digits
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use itinerant_core::owner::{key_text, parse_key};
use itinerant_core::OwnerKey;
use serde::Deserialize;

/// Largest key file read.
const MAX_KEY_FILE_BYTES: u64 = 4096;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    name: String,
    public: String,
    secret: String,
}

/// Writes a new key pair to `path` (which must not exist yet).
pub fn write_new(path: &Path, name: &str) -> Result<OwnerKey, String> {
    let key = OwnerKey::generate(name)?;
    let text = format!(
        "# Itinerant owner key: keep this file secret.\nname = \"{}\"\npublic = \"{}\"\nsecret = \"{}\"\n",
        name.replace('\\', "\\\\").replace('"', "\\\""),
        key.owner().key_text(),
        &key_text(&key.secret())["ed25519:".len()..]
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| format!("cannot create \"{}\": {e}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| format!("cannot write \"{}\": {e}", path.display()))?;
    Ok(key)
}

/// The owner key the CLI signs with: `explicit` (`--key`), else `$ITIN_KEY`,
/// else the cluster directory's key for this client (`DIR/owners/NAME.key`,
/// NAME being `$ITIN_CLIENT` or `admin`, written by `itin init`) if there is
/// one. None: the agent goes unsigned (admitted only by a node without a
/// policy).
pub fn choose(explicit: Option<PathBuf>, certs: Option<&Path>) -> Option<PathBuf> {
    explicit.or_else(|| std::env::var_os("ITIN_KEY").filter(|k| !k.is_empty()).map(PathBuf::from)).or_else(|| {
        let client = std::env::var("ITIN_CLIENT").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "admin".into());
        certs.map(|dir| dir.join("owners").join(format!("{client}.key"))).filter(|k| k.exists())
    })
}

/// Reads a key file; its public key must be the secret's.
pub fn read(path: &Path) -> Result<OwnerKey, String> {
    let what = |e: &dyn std::fmt::Display| format!("key file \"{}\": {e}", path.display());
    let meta = std::fs::metadata(path).map_err(|e| what(&e))?;
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err(what(&format!("over {MAX_KEY_FILE_BYTES} bytes")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| what(&e))?;
    let file: KeyFile = toml::from_str(&text).map_err(|e| what(&e))?;
    let key =
        OwnerKey::from_secret(&file.name, parse_key(&file.secret).map_err(|e| what(&e))?).map_err(|e| what(&e))?;
    if parse_key(&file.public).map_err(|e| what(&e))? != key.owner().key {
        return Err(what(&"the public key is not the secret key's"));
    }
    Ok(key)
}

/// `itin key new --out FILE ?--name NAME?` (the name defaults to the user's).
pub fn new_cmd(out: &Path, name: Option<String>) -> ExitCode {
    let name = name.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "owner".into());
    match write_new(out, &name) {
        Ok(key) => {
            println!("owner {name}");
            println!("key {}", key.owner().key_text());
            println!("written to {} (keep it secret)", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("itin key: {e}");
            ExitCode::from(1)
        }
    }
}

/// `itin key show FILE`: the owner's name and public key.
pub fn show_cmd(path: &Path) -> ExitCode {
    match read(path) {
        Ok(key) => {
            println!("owner {}", key.name);
            println!("key {}", key.owner().key_text());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("itin key: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_reads_back_private_and_checked() {
        let dir = std::env::temp_dir().join(format!("itin-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.toml");
        let _ = std::fs::remove_file(&path);
        let key = write_new(&path, "al \"x\"").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let back = read(&path).unwrap();
        assert_eq!(back.owner(), key.owner());
        assert!(write_new(&path, "again").unwrap_err().contains("cannot create"));
        let text = std::fs::read_to_string(&path).unwrap();
        let other = OwnerKey::from_secret("x", [1; 32]).unwrap().owner().key_text();
        let public = key.owner().key_text();
        std::fs::write(&path, text.replace(&public, &other)).unwrap();
        assert!(read(&path).unwrap_err().contains("not the secret key's"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
