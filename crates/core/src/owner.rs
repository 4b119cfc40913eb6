//! Owners, signed agents and what a node lets them do.
//!
//! An owner is an ed25519 key pair with a display name; its identity is
//! the public key ([`Owner`]). A client signs what it submits
//! ([`Submission`]: script, name, variables, a time and a nonce) with the
//! owner's key; the signed submission, the owner and the signature form the
//! agent's [`Credential`], which stays with the agent (and the agents it
//! forks or submits) for its whole life, in its image, and is checked by
//! every node it reaches. The signature vouches for the original code and
//! the owner, not for the agent's later state: that is vouched for by the
//! node that sends it (see `docs/SECURITY.md`, "Owners and signed agents").
//!
//! What an owner may do on a node is a [`Grant`], handed to the runtime by
//! an [`Authority`] (the node's policy file): whether its agents may arrive
//! by migration, register in the directory, which programs they may
//! `exec`, and quotas. Checking is here, as plain functions of the grant,
//! so that every path (a worker, the blocking pool, an arrival) asks the
//! same question and gets the same message (`permission denied: exec rm`).

use std::sync::Arc;

use crate::quota::OwnerQuotas;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// How an owner's public key is written (followed by 64 hex digits).
pub const OWNER_KEY_PREFIX: &str = "ed25519:";
/// Longest owner name.
pub const MAX_OWNER_NAME: usize = 64;
/// Tells the signed bytes of a submission from anything else signed with
/// the same key (and from a later encoding).
const SUBMISSION_DOMAIN: &[u8] = b"itinerant submission v1\0";

/// An owner as a node knows it: its public key (the identity) and name
/// (for people; it is signed along, so it cannot be swapped).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Owner {
    pub name: String,
    pub key: [u8; 32],
}

impl Owner {
    /// The public key in its textual form, `ed25519:` and 64 hex digits.
    pub fn key_text(&self) -> String {
        key_text(&self.key)
    }

    /// `name (ed25519:0123abcd…)`, for messages and logs.
    pub fn describe(&self) -> String {
        format!("{} ({}…)", self.name, &self.key_text()[..OWNER_KEY_PREFIX.len() + 8])
    }
}

/// `ed25519:` and the key in hex.
pub fn key_text(key: &[u8; 32]) -> String {
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    format!("{OWNER_KEY_PREFIX}{hex}")
}

/// Reads a key written by [`key_text`] (or 64 hex digits without the prefix).
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let hex = text.trim().strip_prefix(OWNER_KEY_PREFIX).unwrap_or(text.trim());
    let bad = || format!("bad key \"{text}\": expected {OWNER_KEY_PREFIX} and 64 hex digits");
    if hex.len() != 64 || !hex.is_ascii() {
        return Err(bad());
    }
    let mut key = [0u8; 32];
    for (i, b) in key.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(key)
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_OWNER_NAME || name.chars().any(char::is_control) {
        return Err(format!("bad owner name \"{name}\": 1 to {MAX_OWNER_NAME} bytes, no control characters"));
    }
    Ok(())
}

/// An owner's key pair (the secret half stays with its user).
pub struct OwnerKey {
    pub name: String,
    signing: SigningKey,
}

/// Shows the owner only: a secret never reaches a log.
impl std::fmt::Debug for OwnerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OwnerKey({})", self.owner().describe())
    }
}

impl OwnerKey {
    /// A new key pair from the operating system's random source.
    pub fn generate(name: &str) -> Result<OwnerKey, String> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| format!("no randomness for a key: {e}"))?;
        OwnerKey::from_secret(name, secret)
    }

    pub fn from_secret(name: &str, secret: [u8; 32]) -> Result<OwnerKey, String> {
        check_name(name)?;
        Ok(OwnerKey { name: name.to_owned(), signing: SigningKey::from_bytes(&secret) })
    }

    pub fn secret(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    pub fn owner(&self) -> Owner {
        Owner { name: self.name.clone(), key: self.signing.verifying_key().to_bytes() }
    }

    /// Signs `submission` as this owner.
    pub fn sign(&self, submission: Submission) -> Credential {
        let owner = self.owner();
        let signature = self.signing.sign(&signed_bytes(&owner, &submission)).to_bytes();
        Credential { owner, submission, signature }
    }
}

/// What a client submits: the agent's original code and start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    pub script: String,
    pub name: Option<String>,
    pub vars: Vec<(String, String)>,
    /// When it was signed (ms since the Unix epoch): a node refuses a
    /// submission signed too long ago or ahead (`check_fresh`).
    pub issued_at_ms: u64,
    /// Random: with the time, tells two submissions of the same script
    /// apart, so a node can refuse a replayed one.
    pub nonce: u64,
}

impl Submission {
    /// A submission signed now, with a random nonce.
    pub fn now(script: String, name: Option<String>, vars: Vec<(String, String)>) -> Result<Submission, String> {
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| format!("no randomness for a nonce: {e}"))?;
        let issued_at_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Ok(Submission { script, name, vars, issued_at_ms, nonce: u64::from_be_bytes(nonce) })
    }
}

/// An agent's proof of origin: the owner, the submission it signed, and
/// the signature. It travels with the agent and its descendants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub owner: Owner,
    pub submission: Submission,
    pub signature: [u8; 64],
}

/// The bytes an owner signs: a domain tag, the owner (key and name), then
/// the submission's fields, each length-prefixed (big-endian u32), so that
/// no two different submissions have the same bytes.
pub fn signed_bytes(owner: &Owner, s: &Submission) -> Vec<u8> {
    fn put(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    let mut out = Vec::with_capacity(s.script.len() + 128);
    out.extend_from_slice(SUBMISSION_DOMAIN);
    out.extend_from_slice(&owner.key);
    put(&mut out, owner.name.as_bytes());
    out.extend_from_slice(&s.issued_at_ms.to_be_bytes());
    out.extend_from_slice(&s.nonce.to_be_bytes());
    put(&mut out, s.script.as_bytes());
    match &s.name {
        Some(n) => {
            out.push(1);
            put(&mut out, n.as_bytes());
        }
        None => out.push(0),
    }
    out.extend_from_slice(&(s.vars.len() as u32).to_be_bytes());
    for (k, v) in &s.vars {
        put(&mut out, k.as_bytes());
        put(&mut out, v.as_bytes());
    }
    out
}

impl Credential {
    /// Does the signature verify for this owner and submission?
    pub fn verify(&self) -> Result<(), String> {
        let refused = |why: &str| format!("the owner's signature does not verify: {why}");
        check_name(&self.owner.name).map_err(|e| refused(&e))?;
        let key = VerifyingKey::from_bytes(&self.owner.key).map_err(|_| refused("not an ed25519 public key"))?;
        let signature = Signature::from_bytes(&self.signature);
        key.verify_strict(&signed_bytes(&self.owner, &self.submission), &signature)
            .map_err(|_| refused(&format!("the agent is not what {} signed", self.owner.describe())))
    }

    /// Was it signed within `window_ms` of `now_ms` (either way)?
    pub fn check_fresh(&self, now_ms: u64, window_ms: u64) -> Result<(), String> {
        let at = self.submission.issued_at_ms;
        if at.abs_diff(now_ms) > window_ms {
            return Err(format!(
                "the submission was signed {} s from this node's clock (at most {} s allowed)",
                at.abs_diff(now_ms) / 1000,
                window_ms / 1000
            ));
        }
        Ok(())
    }
}

/// What a client signs to act as its owner on one connection: a domain
/// tag, the owner, and the connection's channel binding (keying material
/// exported from its TLS session), so the signature is good for that
/// connection alone and cannot be replayed on another.
pub fn session_bytes(owner: &Owner, binding: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SESSION_DOMAIN.len() + 32 + owner.name.len() + binding.len() + 8);
    out.extend_from_slice(SESSION_DOMAIN);
    out.extend_from_slice(&owner.key);
    out.extend_from_slice(&(owner.name.len() as u32).to_be_bytes());
    out.extend_from_slice(owner.name.as_bytes());
    out.extend_from_slice(&(binding.len() as u32).to_be_bytes());
    out.extend_from_slice(binding);
    out
}

const SESSION_DOMAIN: &[u8] = b"itinerant client session v1\0";

impl OwnerKey {
    /// Signs `session_bytes` for the connection whose binding is `binding`.
    pub fn sign_session(&self, binding: &[u8]) -> [u8; 64] {
        self.signing.sign(&session_bytes(&self.owner(), binding)).to_bytes()
    }
}

/// Does `signature` prove that `owner` acts on the connection bound by
/// `binding`?
pub fn verify_session(owner: &Owner, binding: &[u8], signature: &[u8; 64]) -> Result<(), String> {
    let refused = |why: &str| format!("the client is not owner {}: {why}", owner.describe());
    check_name(&owner.name).map_err(|e| refused(&e))?;
    let key = VerifyingKey::from_bytes(&owner.key).map_err(|_| refused("not an ed25519 public key"))?;
    key.verify_strict(&session_bytes(owner, binding), &Signature::from_bytes(signature))
        .map_err(|_| refused("the signature does not verify for this connection"))
}

/// How an agent comes to a node: the grant decides each differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Submitted by a client, or by an agent (`agent_submit`): new code.
    Start,
    /// A running agent's state arrives (jump, fork, platform move).
    Migrate,
}

/// One `exec` permission: a program (glob pattern, matched against the
/// name the agent gives) and its arguments (one glob pattern each; none:
/// any arguments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecRule {
    pub program: String,
    pub args: Option<Vec<String>>,
}

impl ExecRule {
    /// Any arguments to a program matching `program`.
    pub fn program(program: &str) -> ExecRule {
        ExecRule { program: program.to_owned(), args: None }
    }

    pub fn matches(&self, argv: &[String]) -> bool {
        use itinerant_tcl::glob::string_match;
        let Some((prog, rest)) = argv.split_first() else { return false };
        string_match(&self.program, prog, false)
            && self.args.as_ref().is_none_or(|pats| {
                pats.len() == rest.len() && pats.iter().zip(rest).all(|(p, a)| string_match(p, a, false))
            })
    }
}

/// What the agents of one owner may do on a node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    /// May its agents arrive here by jump, fork or platform move?
    pub migrate: bool,
    /// May its agents register services in the directory?
    pub register: bool,
    /// May its agents send ACL messages to other platforms (`acl send` to
    /// a foreign agent identifier: the node makes an HTTP request to the
    /// address the agent names)?
    pub abroad: bool,
    /// May it, as a client, act on every agent and on the node itself
    /// (kill, suspend, resume or move anyone's agents, drain, publish
    /// libraries, manage object adapters, reload the policy)? Without it a
    /// client acts on its own agents only.
    pub operate: bool,
    /// The programs its agents may `exec`.
    pub exec: Vec<ExecRule>,
    /// Its quotas where they are tighter than the node's.
    pub quotas: OwnerQuotas,
}

impl Grant {
    /// Everything allowed except what `exec_allow` does not list (a node
    /// without a policy: `RuntimeConfig::exec_allow`, `*` any program).
    pub fn open(exec_allow: &[String]) -> Grant {
        Grant {
            migrate: true,
            register: true,
            abroad: true,
            operate: true,
            exec: exec_allow.iter().map(|p| ExecRule::program(p)).collect(),
            ..Grant::default()
        }
    }

    /// `permission denied: exec PROG` unless a rule allows `argv`.
    pub fn check_exec(&self, argv: &[String]) -> Result<(), String> {
        match self.exec.iter().any(|r| r.matches(argv)) {
            true => Ok(()),
            false => Err(format!("permission denied: exec {}", argv.first().map(String::as_str).unwrap_or(""))),
        }
    }

    pub fn check_register(&self) -> Result<(), String> {
        match self.register {
            true => Ok(()),
            false => Err("permission denied: df register".into()),
        }
    }

    pub fn check_abroad(&self) -> Result<(), String> {
        match self.abroad {
            true => Ok(()),
            false => Err("permission denied: acl send to another platform".into()),
        }
    }

    pub fn check_entry(&self, entry: Entry, node: &str) -> Result<(), String> {
        match entry {
            Entry::Migrate if !self.migrate => Err(format!("permission denied: migrate to node {node}")),
            _ => Ok(()),
        }
    }
}

/// Decides which owners a node admits and what each may do (the node's
/// policy). Asked on every check, so a reloaded policy applies at once.
pub trait Authority: Send + Sync {
    /// The grant of `owner` (none: an unsigned agent), or why it is not
    /// admitted here at all (`permission denied: ...`).
    fn grant(&self, owner: Option<&Owner>) -> Result<Arc<Grant>, String>;

    /// Told every refusal (`what`: the message given to the agent or
    /// client), to log it.
    fn refused(&self, owner: Option<&Owner>, what: &str);

    /// The directory the files of the owner with public key `key` live in,
    /// if the policy gives it one (else its directory in the node's
    /// sandbox, `.owners/HEX`).
    fn sandbox_of(&self, _key: &[u8; 32]) -> Option<std::path::PathBuf> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission() -> Submission {
        Submission {
            script: "puts hi".into(),
            name: Some("w".into()),
            vars: vec![("x".into(), "1".into())],
            issued_at_ms: 1_700_000_000_000,
            nonce: 42,
        }
    }

    #[test]
    fn a_session_signature_holds_for_its_connection_only() {
        let key = OwnerKey::from_secret("alice", [5; 32]).unwrap();
        let signature = key.sign_session(b"binding one");
        assert_eq!(verify_session(&key.owner(), b"binding one", &signature), Ok(()));
        let e = verify_session(&key.owner(), b"binding two", &signature).unwrap_err();
        assert!(e.contains("does not verify for this connection"), "{e}");
        let mallory = OwnerKey::from_secret("mallory", [6; 32]).unwrap().owner();
        assert!(verify_session(&mallory, b"binding one", &signature).is_err());
    }

    #[test]
    fn keys_round_trip_as_text() {
        let k = OwnerKey::from_secret("alice", [7; 32]).unwrap();
        let text = k.owner().key_text();
        assert!(text.starts_with("ed25519:") && text.len() == 8 + 64, "{text}");
        assert_eq!(parse_key(&text).unwrap(), k.owner().key);
        assert!(parse_key("ed25519:zz").is_err());
        assert!(OwnerKey::from_secret("", [7; 32]).is_err());
        let again = OwnerKey::from_secret("alice", k.secret()).unwrap();
        assert_eq!(again.owner(), k.owner());
    }

    #[test]
    fn a_signed_submission_verifies_and_any_flipped_byte_does_not() {
        let k = OwnerKey::from_secret("alice", [7; 32]).unwrap();
        let c = k.sign(submission());
        c.verify().unwrap();
        let mut bad = c.clone();
        bad.submission.script = "puts hI".into();
        assert!(bad.verify().unwrap_err().contains("does not verify"));
        let mut bad = c.clone();
        bad.signature[10] ^= 1;
        assert!(bad.verify().is_err());
        let mut bad = c.clone();
        bad.owner.name = "mallory".into();
        assert!(bad.verify().is_err());
        let mut bad = c.clone();
        bad.submission.vars[0].1 = "2".into();
        assert!(bad.verify().is_err());
        let mut bad = c;
        bad.owner = OwnerKey::from_secret("alice", [8; 32]).unwrap().owner();
        assert!(bad.verify().is_err());
    }

    #[test]
    fn field_boundaries_are_part_of_the_signed_bytes() {
        let owner = OwnerKey::from_secret("a", [1; 32]).unwrap().owner();
        let mut a = submission();
        a.vars = vec![("ab".into(), "c".into())];
        let mut b = submission();
        b.vars = vec![("a".into(), "bc".into())];
        assert_ne!(signed_bytes(&owner, &a), signed_bytes(&owner, &b));
    }

    #[test]
    fn freshness_window() {
        let c = OwnerKey::from_secret("alice", [7; 32]).unwrap().sign(submission());
        c.check_fresh(1_700_000_000_000 + 60_000, 300_000).unwrap();
        assert!(c.check_fresh(1_700_000_000_000 + 600_000, 300_000).is_err());
        assert!(c.check_fresh(1_700_000_000_000 - 600_000, 300_000).is_err());
    }

    #[test]
    fn exec_rules_match_program_and_arguments() {
        let argv = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        let g = Grant {
            exec: vec![
                ExecRule::program("echo"),
                ExecRule { program: "ls".into(), args: Some(vec!["-l".into(), "/tmp/*".into()]) },
            ],
            ..Grant::default()
        };
        g.check_exec(&argv("echo a b c")).unwrap();
        g.check_exec(&argv("ls -l /tmp/x")).unwrap();
        assert_eq!(g.check_exec(&argv("ls -l /etc")).unwrap_err(), "permission denied: exec ls");
        assert_eq!(g.check_exec(&argv("ls")).unwrap_err(), "permission denied: exec ls");
        assert_eq!(g.check_exec(&argv("rm -rf /")).unwrap_err(), "permission denied: exec rm");
        Grant::open(&["*".into()]).check_exec(&argv("rm x")).unwrap();
        assert!(Grant::open(&[]).check_exec(&argv("echo")).is_err());
    }

    #[test]
    fn entries_and_registration() {
        let g = Grant { register: false, migrate: false, ..Grant::default() };
        g.check_entry(Entry::Start, "b").unwrap();
        assert_eq!(g.check_entry(Entry::Migrate, "b").unwrap_err(), "permission denied: migrate to node b");
        assert_eq!(g.check_register().unwrap_err(), "permission denied: df register");
        assert_eq!(g.check_abroad().unwrap_err(), "permission denied: acl send to another platform");
        Grant::open(&[]).check_abroad().unwrap();
    }
}
