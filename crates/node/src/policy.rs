//! A node's policy: which owners may run agents here and what their
//! agents may do, read from a TOML file (`itin node start --policy FILE`)
//! and reloaded while the node runs (SIGHUP, a change of the file, or
//! `itin node reload-policy`).
//!
//! ```toml
//! [owners.alice]
//! key = "ed25519:…"              # the owner's identity (`itin key show`)
//! groups = ["staff"]
//! [owners.alice.allow]           # her own capabilities, added to her groups'
//! exec = [{ program = "date" }]
//!
//! [groups.staff]
//! migrate = true                 # agents may arrive by jump, fork, move
//! register = true                # may register in the directory
//! abroad = false                 # may send ACL to other platforms (FIPA HTTP)
//! operate = false                # as a client: act on everyone's agents and the node
//! exec = [{ program = "echo" }, { program = "ls", args = ["-l", "/tmp/*"] }]
//! sandbox = "/srv/itin/staff"    # its agents' files (else DATA/sandbox/.owners/HEX)
//! [groups.staff.quota]
//! agents = 100
//! mailbox_depth = 1000
//! ```
//!
//! An owner has the union of the permissions of its groups and its own
//! `allow`; for a quota or the sandbox, its own setting wins, else the first
//! of its groups (in the order listed) that sets one. An owner not listed,
//! and an unsigned agent, is refused (`permission denied: ...`). A policy
//! that does not parse is an error at start; at a reload the node keeps the
//! policy it had and says why.
//!
//! The quotas become the grant's `OwnerQuotas`: each narrows the node's own
//! quota for that owner's agents (a policy never lifts a node's quota).
//! `agents`, `mailbox_depth` and `message_bytes` apply at once after a
//! reload; `memory`, `instructions_per_sec` and `outstanding_forks` are
//! read when an agent starts or arrives (and at each check of its rate and
//! forks), so a reload reaches a running agent's memory quota at its next
//! arrival.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use itinerant_core::owner::{parse_key, ExecRule, Grant, Owner};
use itinerant_core::quota::OwnerQuotas;
use itinerant_core::Authority;
use serde::Deserialize;

/// Largest policy file read.
pub const MAX_POLICY_BYTES: u64 = 1 << 20;
/// How often the node looks whether the policy file changed.
pub const POLICY_POLL: Duration = Duration::from_secs(1);

/// One owner's quotas as the policy states them (none: no limit of its own).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    /// Agents of the owner living on this node at once.
    pub agents: Option<u64>,
    /// Bytes of memory per agent.
    pub memory: Option<u64>,
    /// Instructions per second per agent.
    pub instructions_per_sec: Option<u64>,
    /// Messages waiting in one agent's mailbox.
    pub mailbox_depth: Option<u64>,
    /// Bytes of one message.
    pub message_bytes: Option<u64>,
    /// Forks and submits of one agent not yet answered.
    pub outstanding_forks: Option<u64>,
}

impl Quotas {
    /// Each setting of `self`, else of `other`.
    fn or(self, other: &Quotas) -> Quotas {
        Quotas {
            agents: self.agents.or(other.agents),
            memory: self.memory.or(other.memory),
            instructions_per_sec: self.instructions_per_sec.or(other.instructions_per_sec),
            mailbox_depth: self.mailbox_depth.or(other.mailbox_depth),
            message_bytes: self.message_bytes.or(other.message_bytes),
            outstanding_forks: self.outstanding_forks.or(other.outstanding_forks),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecEntry {
    program: String,
    args: Option<Vec<String>>,
}

/// Capabilities as written for a group or an owner's own `allow`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Capabilities {
    #[serde(default)]
    migrate: bool,
    #[serde(default)]
    register: bool,
    #[serde(default)]
    abroad: bool,
    #[serde(default)]
    operate: bool,
    #[serde(default)]
    exec: Vec<ExecEntry>,
    sandbox: Option<PathBuf>,
    #[serde(default)]
    quota: Quotas,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerEntry {
    key: String,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    allow: Capabilities,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    owners: BTreeMap<String, OwnerEntry>,
    #[serde(default)]
    groups: BTreeMap<String, Capabilities>,
}

/// An admitted owner: its name in the policy, what it may do, its quotas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admitted {
    pub name: String,
    pub grant: Arc<Grant>,
    pub quotas: Quotas,
    /// The directory its agents' files live in on this node (none: its
    /// own directory in the node's sandbox).
    pub sandbox: Option<PathBuf>,
}

/// A parsed policy: the admitted owners by public key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    pub owners: HashMap<[u8; 32], Admitted>,
}

impl Policy {
    /// Reads a policy from its TOML text; any mistake (an unknown field, a
    /// bad key, an undefined group, a key listed twice) is an error.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut owners = HashMap::new();
        for (name, entry) in &file.owners {
            let key = parse_key(&entry.key).map_err(|e| format!("owner {name}: {e}"))?;
            let mut caps = vec![&entry.allow];
            for g in &entry.groups {
                caps.push(file.groups.get(g).ok_or_else(|| format!("owner {name}: no group \"{g}\""))?);
            }
            let quotas = caps.iter().fold(Quotas::default(), |q, c| q.or(&c.quota));
            let limit = |q: Option<u64>| q.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
            let grant = Grant {
                migrate: caps.iter().any(|c| c.migrate),
                register: caps.iter().any(|c| c.register),
                abroad: caps.iter().any(|c| c.abroad),
                operate: caps.iter().any(|c| c.operate),
                exec: caps
                    .iter()
                    .flat_map(|c| &c.exec)
                    .map(|e| ExecRule { program: e.program.clone(), args: e.args.clone() })
                    .collect(),
                quotas: OwnerQuotas {
                    agents: limit(quotas.agents),
                    memory_bytes: limit(quotas.memory),
                    instructions_per_second: quotas.instructions_per_sec,
                    mailbox_depth: limit(quotas.mailbox_depth),
                    message_bytes: limit(quotas.message_bytes),
                    outstanding_forks: limit(quotas.outstanding_forks),
                },
            };
            let sandbox = caps.iter().find_map(|c| c.sandbox.clone());
            let admitted = Admitted { name: name.clone(), grant: Arc::new(grant), quotas, sandbox };
            if let Some(other) = owners.insert(key, admitted) {
                return Err(format!("owners {} and {name} have the same key", other.name));
            }
        }
        Ok(Policy { owners })
    }

    /// What `owner` may do here, or why it may not run agents here at all.
    pub fn grant(&self, owner: Option<&Owner>, node: &str) -> Result<&Admitted, String> {
        let Some(owner) = owner else {
            return Err(format!("permission denied: unsigned agents are not admitted on node {node}"));
        };
        self.owners
            .get(&owner.key)
            .ok_or_else(|| format!("permission denied: owner {} is not admitted on node {node}", owner.describe()))
    }
}

/// The policy of a running node: the file it comes from and the policy
/// now in force (replaced whole at a reload, so a check sees one or the
/// other, never a mix).
pub struct NodePolicy {
    node: String,
    path: PathBuf,
    current: RwLock<Arc<Policy>>,
    /// The file's modification time when it was last read.
    read_at: Mutex<Option<SystemTime>>,
}

fn read_policy(path: &Path) -> Result<(Policy, Option<SystemTime>), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("policy {}: {e}", path.display()))?;
    if meta.len() > MAX_POLICY_BYTES {
        return Err(format!("policy {}: over {MAX_POLICY_BYTES} bytes", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("policy {}: {e}", path.display()))?;
    let policy = Policy::parse(&text).map_err(|e| format!("policy {}: {e}", path.display()))?;
    Ok((policy, meta.modified().ok()))
}

impl NodePolicy {
    /// Reads the policy file of node `node`.
    pub fn load(node: &str, path: &Path) -> Result<Arc<NodePolicy>, String> {
        let (policy, modified) = read_policy(path)?;
        Ok(Arc::new(NodePolicy {
            node: node.to_owned(),
            path: path.to_owned(),
            current: RwLock::new(Arc::new(policy)),
            read_at: Mutex::new(modified),
        }))
    }

    /// Reads the file again; on an error the policy in force stays.
    /// Returns a summary of the new policy.
    pub fn reload(&self) -> Result<String, String> {
        let read = read_policy(&self.path);
        let (policy, modified) =
            read.inspect_err(|why| tracing::warn!(node = %self.node, "policy not reloaded: {why}"))?;
        let summary = format!("policy {} reloaded: {} owners admitted", self.path.display(), policy.owners.len());
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(policy);
        *self.read_at.lock().unwrap_or_else(|e| e.into_inner()) = modified;
        tracing::info!(node = %self.node, "{summary}");
        Ok(summary)
    }

    /// Reloads if the file's modification time changed since it was read.
    pub fn reload_if_changed(&self) {
        let modified = std::fs::metadata(&self.path).and_then(|m| m.modified()).ok();
        let changed = *self.read_at.lock().unwrap_or_else(|e| e.into_inner()) != modified;
        if changed && modified.is_some() {
            let _ = self.reload();
        }
    }

    pub fn current(&self) -> Arc<Policy> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Authority for NodePolicy {
    fn grant(&self, owner: Option<&Owner>) -> Result<Arc<Grant>, String> {
        self.current().grant(owner, &self.node).map(|a| a.grant.clone())
    }

    fn refused(&self, owner: Option<&Owner>, what: &str) {
        let who = owner.map_or_else(|| "unsigned agent".to_owned(), Owner::describe);
        tracing::warn!(node = %self.node, "refused {who}: {what}");
    }

    fn sandbox_of(&self, key: &[u8; 32]) -> Option<PathBuf> {
        self.current().owners.get(key).and_then(|a| a.sandbox.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use itinerant_core::OwnerKey;

    fn owner(seed: u8, name: &str) -> Owner {
        OwnerKey::from_secret(name, [seed; 32]).unwrap().owner()
    }

    fn policy_text() -> String {
        format!(
            r#"
[owners.alice]
key = "{}"
groups = ["staff", "ops"]
[owners.alice.allow]
exec = [{{ program = "date" }}]
quota = {{ agents = 3 }}

[owners.bob]
key = "{}"

[groups.staff]
migrate = true
exec = [{{ program = "echo" }}, {{ program = "ls", args = ["-l", "/tmp/*"] }}]
quota = {{ agents = 100, mailbox_depth = 50, memory = 1000000 }}

[groups.ops]
register = true
abroad = true
sandbox = "/srv/ops"
quota = {{ mailbox_depth = 7, outstanding_forks = 2 }}
"#,
            owner(1, "alice").key_text(),
            owner(2, "bob").key_text()
        )
    }

    #[test]
    fn owners_get_the_union_of_their_groups() {
        let p = Policy::parse(&policy_text()).unwrap();
        let alice = p.grant(Some(&owner(1, "alice")), "n").unwrap();
        assert!(alice.grant.migrate && alice.grant.register && alice.grant.abroad);
        let argv = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        alice.grant.check_exec(&argv("date")).unwrap();
        alice.grant.check_exec(&argv("echo hi")).unwrap();
        alice.grant.check_exec(&argv("ls -l /tmp/a")).unwrap();
        assert_eq!(alice.grant.check_exec(&argv("rm x")).unwrap_err(), "permission denied: exec rm");
        // Her own quota first, then the first group that sets one.
        assert_eq!(alice.grant.quotas.agents, Some(3));
        assert_eq!(alice.grant.quotas.mailbox_depth, Some(50));
        assert_eq!(alice.grant.quotas.memory_bytes, Some(1_000_000));
        assert_eq!(alice.quotas.memory, Some(1_000_000));
        assert_eq!(alice.quotas.outstanding_forks, Some(2));
        assert_eq!(alice.sandbox, Some(PathBuf::from("/srv/ops")));
        let bob = p.grant(Some(&owner(2, "bob")), "n").unwrap();
        assert!(!bob.grant.migrate && !bob.grant.register && !bob.grant.abroad && bob.grant.exec.is_empty());
    }

    #[test]
    fn unknown_and_unsigned_are_refused() {
        let p = Policy::parse(&policy_text()).unwrap();
        let e = p.grant(Some(&owner(3, "carol")), "beta").unwrap_err();
        assert!(e.starts_with("permission denied: owner carol (ed25519:") && e.ends_with("not admitted on node beta"));
        // The key decides, not the name.
        assert!(p.grant(Some(&owner(3, "alice")), "beta").is_err());
        let e = p.grant(None, "beta").unwrap_err();
        assert_eq!(e, "permission denied: unsigned agents are not admitted on node beta");
        assert!(Policy::parse("").unwrap().owners.is_empty());
    }

    #[test]
    fn mistakes_are_errors() {
        let key = owner(1, "a").key_text();
        for (text, why) in [
            (format!("[owners.a]\nkey = \"{key}\"\nmigrate = true\n"), "unknown field"),
            (format!("[owners.a]\nkey = \"{key}\"\ngroups = [\"x\"]\n"), "no group \"x\""),
            ("[owners.a]\nkey = \"ed25519:00\"\n".to_string(), "bad key"),
            (format!("[owners.a]\nkey = \"{key}\"\n[owners.b]\nkey = \"{key}\"\n"), "same key"),
            (format!("[owners.a]\nkey = \"{key}\"\n[owners.a.allow]\nquota = {{ agent = 1 }}\n"), "unknown field"),
            ("owners = 3".to_string(), "invalid type"),
        ] {
            let e = Policy::parse(&text).unwrap_err();
            assert!(e.contains(why), "{text}: {e}");
        }
    }

    #[test]
    fn a_reload_replaces_the_policy_and_a_bad_one_keeps_the_old() {
        let dir = std::env::temp_dir().join(format!("itin-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("policy.toml");
        std::fs::write(&path, policy_text()).unwrap();
        let p = NodePolicy::load("n", &path).unwrap();
        let carol = owner(3, "carol");
        assert!(p.grant(Some(&carol)).is_err());
        std::fs::write(&path, format!("[owners.carol]\nkey = \"{}\"\n", carol.key_text())).unwrap();
        p.reload().unwrap();
        assert!(p.grant(Some(&carol)).is_ok());
        assert!(p.grant(Some(&owner(1, "alice"))).is_err());
        std::fs::write(&path, "not toml [").unwrap();
        assert!(p.reload().is_err());
        assert!(p.grant(Some(&carol)).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
