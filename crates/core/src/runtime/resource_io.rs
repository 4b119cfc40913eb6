//! The operations on an agent's resources, run on the blocking pool (files
//! and the store may block): locally when the resource is on this node,
//! through the router when a binding is a global reference to another
//! node. Also the data a migration carries for moved and copied bindings,
//! and the node's listening endpoints (`Endpoints`, opened where the agent
//! binds one or arrives with one rebound).
//!
//! An operation is a list of strings (`file-read PATH`, `store-set KEY
//! VALUE`...): the same form is the agent's pending request in a snapshot
//! and the remote call on the wire.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{lock, AgentId, Shared};
use crate::resources::{check_path, Carried, Kind, Resource, MAX_CARRIED_BYTES};

/// Largest file an agent reads or writes at once, and largest store value.
pub const MAX_FILE_BYTES: usize = 8 << 20;
pub const MAX_VALUE_BYTES: usize = 1 << 20;
pub const MAX_KEY_BYTES: usize = 1024;
/// Most keys `store keys` lists.
pub const MAX_KEYS_LISTED: usize = 10_000;

/// The node's key-value store, as the runtime sees it (the node provides a
/// durable one; without it, keys live in memory).
pub trait KeyValue: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, String>;
    fn set(&self, key: &str, value: &str) -> Result<(), String>;
    fn unset(&self, key: &str) -> Result<(), String>;
    /// Keys starting with `prefix`, in order, at most `limit`.
    fn keys(&self, prefix: &str, limit: usize) -> Result<Vec<String>, String>;
}

/// The node's listening endpoints, as the runtime sees them (the node
/// owns the sockets). Each is named by the agent and its handle; lines
/// that arrive on an endpoint's connections go to the agent as messages
/// `{HANDLE CONN LINE}` (`Runtime::send`, so they follow a moved agent).
pub trait Endpoints: Send + Sync {
    /// Opens (or finds, if already open) the endpoint on `port` (0: any);
    /// its address `host:port`.
    fn open(&self, agent: &AgentId, handle: &str, port: u16) -> Result<String, String>;
    fn address(&self, agent: &AgentId, handle: &str) -> Result<String, String>;
    /// Sends `line` (a newline is added) on connection `conn`.
    fn write(&self, agent: &AgentId, handle: &str, conn: u64, line: &str) -> Result<(), String>;
    fn close(&self, agent: &AgentId, handle: &str);
}

#[derive(Default)]
pub struct MemoryKeyValue(Mutex<BTreeMap<String, String>>);

impl KeyValue for MemoryKeyValue {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        Ok(lock(&self.0).get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), String> {
        lock(&self.0).insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn unset(&self, key: &str) -> Result<(), String> {
        lock(&self.0).remove(key);
        Ok(())
    }
    fn keys(&self, prefix: &str, limit: usize) -> Result<Vec<String>, String> {
        let map = lock(&self.0);
        Ok(map
            .range(prefix.to_owned()..)
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(prefix))
            .take(limit)
            .cloned()
            .collect())
    }
}

fn arg(args: &[String], i: usize) -> Result<&str, String> {
    args.get(i).map(String::as_str).ok_or_else(|| format!("resource operation {:?}: missing argument", args.first()))
}

impl Shared {
    fn kv(&self) -> &Arc<dyn KeyValue> {
        self.key_value.get_or_init(|| Arc::new(MemoryKeyValue::default()))
    }

    fn endpoints(&self) -> Result<&Arc<dyn Endpoints>, String> {
        self.endpoints.get().ok_or_else(|| format!("node {} has no network endpoints", self.config.node))
    }

    /// Opens one endpoint binding of agent `id` on this node; its address.
    pub(crate) fn open_endpoint(&self, id: &AgentId, r: &Resource) -> Result<String, String> {
        self.endpoints()?.open(id, &r.handle, parse_port(&r.target)?)
    }

    /// Opens the endpoints an agent here is bound to (after it arrived,
    /// or after a restart); one that cannot open is reported in its
    /// console, and its handle answers with the error.
    pub(super) fn open_endpoints(&self, id: &AgentId, resources: &[Resource]) {
        for r in resources.iter().filter(|r| r.kind == Kind::Endpoint && r.node == self.config.node) {
            if let Err(e) = self.open_endpoint(id, r) {
                self.console_here(id, &format!("endpoint {} could not open: {e}\n", r.handle));
            }
        }
    }

    /// Closes the endpoints of an agent that ended, wherever they are.
    pub(super) fn close_endpoints(&self, id: &AgentId, resources: &[Resource]) {
        for r in resources.iter().filter(|r| r.kind == Kind::Endpoint) {
            if r.node == self.config.node {
                if let Ok(endpoints) = self.endpoints() {
                    endpoints.close(id, &r.handle);
                }
            } else if let Some(router) = self.router() {
                router.resource_post(&r.node, vec!["endpoint-close".into(), id.to_string(), r.handle.clone()]);
            }
        }
    }

    /// Where a file target lies on this node: in the node's sandbox, or
    /// for a signed agent (`.owners/HEX/REST`) in the directory the policy
    /// gives its owner, if it gives one.
    fn sandbox_path(&self, path: &str) -> Result<PathBuf, String> {
        check_path(path).map_err(|e| e.0)?;
        if let Some((key, rest)) = owner_file(path) {
            if let Some(dir) = self.authority.get().and_then(|a| a.sandbox_of(&key)) {
                return Ok(dir.join(rest));
            }
        }
        let root =
            self.config.sandbox.as_ref().ok_or_else(|| format!("node {} has no file sandbox", self.config.node))?;
        Ok(root.join(path))
    }

    fn check_key(key: &str) -> Result<(), String> {
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            return Err(format!("bad store key: empty or over {MAX_KEY_BYTES} bytes"));
        }
        Ok(())
    }

    /// Runs one resource operation on this node (for a local agent, or for
    /// an agent elsewhere holding a global reference to a resource here).
    pub(super) fn resource_op_here(&self, args: &[String]) -> Result<String, String> {
        let op = arg(args, 0)?;
        match op {
            "file-read" => {
                let path = self.sandbox_path(arg(args, 1)?)?;
                read_file(&path)
            }
            "file-write" | "file-append" => {
                let path = self.sandbox_path(arg(args, 1)?)?;
                let data = arg(args, 2)?;
                write_file(&path, data, op == "file-append")?;
                Ok(String::new())
            }
            "file-delete" => {
                let path = self.sandbox_path(arg(args, 1)?)?;
                match std::fs::remove_file(&path) {
                    Ok(()) => Ok(String::new()),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
                    Err(e) => Err(format!("cannot delete \"{}\": {e}", arg(args, 1)?)),
                }
            }
            "file-exists" => Ok(if self.sandbox_path(arg(args, 1)?)?.is_file() { "1" } else { "0" }.into()),
            "file-size" => {
                let meta = std::fs::metadata(self.sandbox_path(arg(args, 1)?)?)
                    .map_err(|e| format!("cannot stat \"{}\": {e}", arg(args, 1).unwrap_or_default()))?;
                Ok(meta.len().to_string())
            }
            "store-get" => {
                let key = arg(args, 1)?;
                Self::check_key(key)?;
                self.kv().get(key)?.ok_or_else(|| format!("no key \"{key}\" in the store of node {}", self.config.node))
            }
            "store-exists" => {
                let key = arg(args, 1)?;
                Self::check_key(key)?;
                Ok(if self.kv().get(key)?.is_some() { "1" } else { "0" }.into())
            }
            "store-set" => {
                let (key, value) = (arg(args, 1)?, arg(args, 2)?);
                Self::check_key(key)?;
                if value.len() > MAX_VALUE_BYTES {
                    return Err(format!("store value over {MAX_VALUE_BYTES} bytes"));
                }
                self.kv().set(key, value)?;
                Ok(String::new())
            }
            "store-unset" => {
                let key = arg(args, 1)?;
                Self::check_key(key)?;
                self.kv().unset(key)?;
                Ok(String::new())
            }
            "store-keys" => {
                let (prefix, pattern) = (arg(args, 1)?, args.get(2).map(String::as_str).unwrap_or("*"));
                let keys = self.kv().keys(prefix, MAX_KEYS_LISTED)?;
                let names: Vec<itinerant_tcl::Value> = keys
                    .iter()
                    .map(|k| &k[prefix.len()..])
                    .filter(|k| itinerant_tcl::glob::string_match(pattern, k, false))
                    .map(itinerant_tcl::Value::from)
                    .collect();
                Ok(itinerant_tcl::list::format_list(&names))
            }
            "console-write" => {
                let id = AgentId::parse(arg(args, 1)?).ok_or("console-write: bad agent id")?;
                let text = arg(args, 2)?;
                self.console_here(&id, text);
                Ok(String::new())
            }
            "endpoint-address" | "endpoint-write" | "endpoint-close" => {
                let id = AgentId::parse(arg(args, 1)?).ok_or("endpoint: bad agent id")?;
                let handle = arg(args, 2)?;
                let endpoints = self.endpoints()?;
                match op {
                    "endpoint-address" => endpoints.address(&id, handle),
                    "endpoint-write" => {
                        let conn = arg(args, 3)?;
                        let conn = conn.parse().map_err(|_| format!("bad connection \"{conn}\""))?;
                        endpoints.write(&id, handle, conn, arg(args, 4)?).map(|()| String::new())
                    }
                    _ => {
                        endpoints.close(&id, handle);
                        Ok(String::new())
                    }
                }
            }
            other => Err(format!("unknown resource operation \"{other}\"")),
        }
    }

    /// Runs `args` where the resource lives: here, or through the router
    /// on `node` (which answers or times out).
    pub(super) fn resource_op(&self, node: &str, args: &[String]) -> Result<String, String> {
        if node == self.config.node {
            return self.resource_op_here(args);
        }
        match self.router() {
            Some(r) => r.resource_call(node, args.to_vec()),
            None => Err(format!("node {node} cannot be reached: no network")),
        }
    }

    /// Output of an agent whose console is bound here: kept with the agent
    /// (also one that moved on) and written to the node's log.
    pub(super) fn console_here(&self, id: &AgentId, text: &str) {
        if let Some(slot) = lock(&self.slots).get_mut(id) {
            self.append_console(slot, text);
        }
        for line in text.lines() {
            tracing::info!(node = %self.config.node, "agent {id}: {line}");
        }
    }

    /// Reads the data of the bindings a departing agent carries along
    /// (`DeparturePlan::carry`), within `MAX_CARRIED_BYTES`.
    pub(super) fn read_carried(&self, carry: &[Resource]) -> Result<Vec<Carried>, String> {
        let mut carried = Vec::new();
        let mut bytes = 0usize;
        for r in carry {
            let data = match r.kind {
                Kind::File => {
                    let path = self.sandbox_path(&r.target)?;
                    let data = if path.exists() { read_file(&path)? } else { String::new() };
                    bytes += data.len();
                    Carried::File { path: r.target.clone(), data }
                }
                Kind::Store => {
                    let mut entries = Vec::new();
                    for k in self.kv().keys(&r.target, MAX_KEYS_LISTED)? {
                        if let Some(v) = self.kv().get(&k)? {
                            bytes += k.len() + v.len();
                            entries.push((k, v));
                        }
                    }
                    Carried::Store { prefix: r.target.clone(), entries }
                }
                Kind::Console | Kind::Endpoint => continue,
            };
            if bytes > MAX_CARRIED_BYTES {
                return Err(format!(
                    "the resources to carry exceed {MAX_CARRIED_BYTES} bytes (bind big ones as fastened or by reference)"
                ));
            }
            carried.push(data);
        }
        Ok(carried)
    }

    /// Writes what an arriving agent carried into this node's sandbox and
    /// store.
    pub(super) fn unpack(&self, id: &AgentId, carried: Vec<Carried>) {
        for c in carried {
            let done = match &c {
                Carried::File { path, data } => {
                    self.sandbox_path(path).and_then(|p| write_file(&p, data, false).map_err(|e| e.to_string()))
                }
                Carried::Store { entries, .. } => entries.iter().try_for_each(|(k, v)| self.kv().set(k, v)),
            };
            if let Err(e) = done {
                tracing::warn!(node = %self.config.node, "agent {id}: a carried resource could not be stored: {e}");
            }
        }
    }

    /// After a move: the resources that went along leave this node.
    pub(super) fn remove_moved(&self, id: &AgentId, moved: &[Resource]) {
        for r in moved {
            let done = match r.kind {
                Kind::File => self.resource_op_here(&["file-delete".into(), r.target.clone()]).map(drop),
                Kind::Store => self
                    .kv()
                    .keys(&r.target, MAX_KEYS_LISTED)
                    .and_then(|keys| keys.iter().try_for_each(|k| self.kv().unset(k))),
                Kind::Endpoint => self.endpoints().map(|e| e.close(id, &r.handle)),
                Kind::Console => Ok(()),
            };
            if let Err(e) = done {
                tracing::warn!(node = %self.config.node, "agent {id}: a moved resource stayed behind: {e}");
            }
        }
    }
}

impl super::Runtime {
    /// Hands a line that arrived on endpoint `handle`, connection `conn`,
    /// to its agent (here, or after it if it moved) as the message
    /// `{HANDLE CONN LINE}`, code 0, from outside the platform.
    pub fn endpoint_line(&self, agent: &AgentId, handle: &str, conn: u64, line: &str) -> Result<(), super::SendError> {
        use itinerant_tcl::Value;
        let body = Value::list(vec![Value::from(handle), Value::from(conn.to_string()), Value::from(line)]);
        self.send_text(agent, None, 0, &body.as_str())
    }
}

/// The port an endpoint asks for: `0` (any) to 65535.
pub(crate) fn parse_port(spec: &str) -> Result<u16, String> {
    spec.parse().map_err(|_| format!("bad port \"{spec}\": must be 0 to 65535"))
}

fn read_file(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read \"{}\": {e}", path.display()))?;
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(format!("file \"{}\" is over {MAX_FILE_BYTES} bytes", path.display()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read \"{}\": {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("file \"{}\" is not UTF-8 text", path.display()))
}

fn write_file(path: &Path, data: &str, append: bool) -> Result<(), String> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create \"{}\": {e}", dir.display()))?;
    }
    if append {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size as usize + data.len() > MAX_FILE_BYTES {
            return Err(format!("file \"{}\" would grow over {MAX_FILE_BYTES} bytes", path.display()));
        }
    } else if data.len() > MAX_FILE_BYTES {
        return Err(format!("data over {MAX_FILE_BYTES} bytes"));
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path)
        .map_err(|e| format!("cannot open \"{}\": {e}", path.display()))?;
    f.write_all(data.as_bytes()).map_err(|e| format!("cannot write \"{}\": {e}", path.display()))
}

/// A signed agent's file target, `.owners/HEX/REST`: the owner's key and
/// the path inside its directory.
fn owner_file(path: &str) -> Option<([u8; 32], &str)> {
    let rest = path.strip_prefix(crate::resource_cmds::OWNERS_DIR)?.strip_prefix('/')?;
    let (hex, rest) = rest.split_once('/')?;
    let key = crate::owner::parse_key(&format!("ed25519:{hex}")).ok()?;
    Some((key, rest))
}
