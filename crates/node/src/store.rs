//! The node's durable store: one redb file (`node.redb`) in the node's data
//! directory, holding every agent's latest image (with its directory
//! entries and mailbox) and the node's counters.
//!
//! The runtime hands images over with the registry locked, so `save` and
//! `forget` only queue them; one writer thread commits them in batches (one
//! fsync for many checkpoints). `flush` waits for the queue to be durable.
//! An image that cannot be read at start is moved aside to
//! `unreadable_agents` with a log line, never dropped. Published and
//! cached libraries (code on demand) are written at once, one transaction
//! each (they are rare and the publisher waits for durability).
//!
//! An agent that ends here leaves its outcome (result or error, when) in
//! `ended`, written in the same transaction that removes its image, so a
//! crash never loses a finished agent's result nor runs it twice; only the
//! latest `ended_kept` outcomes are kept (`ended_order` ranks them).

use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use itinerant_core::{AgentId, AgentImage, AgentOutcome, Persist};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use crate::handoff::Fence;
use crate::image;

const AGENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("agents");
const UNREADABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("unreadable_agents");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const NAMES: TableDefinition<&str, &str> = TableDefinition::new("names");
/// Transfer verdicts by agent id: epoch, then 1 and the id given or 0
/// and the reason (see `handoff.rs`).
const FENCES: TableDefinition<&str, &[u8]> = TableDefinition::new("fences");
/// Libraries by (name, version): a flag (1 published here, 0 cached from
/// another node), then the script (see `libraries.rs`).
const LIBRARIES: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("libraries");
/// Outcomes of agents that ended here, by id (`EndedRecord`'s bytes).
const ENDED: TableDefinition<&str, &[u8]> = TableDefinition::new("ended");
/// The same agents by the sequence number of their end, oldest first.
const ENDED_ORDER: TableDefinition<u64, &str> = TableDefinition::new("ended_order");

/// `META` keys.
const CLEAN_STOP: &str = "clean_stop";
const IDS_RESERVED: &str = "ids_reserved";
/// The sequence number the next ended agent gets.
const ENDED_SEQ: &str = "ended_seq";
/// Bytes of an ended agent's result or error kept (the rest is cut).
const MAX_ENDED_TEXT: usize = 64 * 1024;
/// Operations committed in one transaction at most.
const MAX_BATCH: usize = 4096;
/// Longest wait for the writer to make earlier operations durable.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(60);

enum Op {
    Save(Box<AgentImage>),
    Forget(AgentId),
    End(AgentId, Result<String, String>),
    /// Its image could not be restored: moved to `unreadable_agents`, and
    /// the agent ended with this error.
    SetAside(AgentId, String),
    Flush(mpsc::SyncSender<()>),
}

/// A node's store (see the module comment).
pub struct Store {
    db: Arc<Database>,
    /// To the writer thread (taken on drop, which ends the thread).
    ops: Option<mpsc::Sender<Op>>,
    writer: Option<std::thread::JoinHandle<()>>,
    node: String,
}

/// The outcome of an agent that ended on this node, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndedRecord {
    pub id: AgentId,
    pub result: Result<String, String>,
    /// When it ended, in milliseconds since the Unix epoch.
    pub ended_at_ms: u64,
}

/// What a node finds in its store when it starts.
pub struct Opened {
    pub store: Arc<Store>,
    /// The agents to bring back.
    pub images: Vec<AgentImage>,
    /// The node did not stop cleanly last time (it crashed or was killed):
    /// agents continue from their last checkpoint, not from where they were.
    pub after_crash: bool,
    /// The first agent number this run may give.
    pub first_id: u64,
    /// The agents that ended here (the latest `ended_kept`), oldest first.
    pub ended: Vec<EndedRecord>,
}

fn db_err(what: &str, e: impl std::fmt::Display) -> String {
    format!("store: {what}: {e}")
}

impl Store {
    /// Opens (or creates) the store of node `node` in `dir`, which keeps
    /// the outcomes of the latest `ended_kept` agents that ended here. A
    /// directory that belongs to another node is refused.
    pub fn open(dir: &Path, node: &str, ended_kept: usize) -> Result<Opened, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create data directory {}: {e}", dir.display()))?;
        let path = dir.join("node.redb");
        let db = Database::create(&path).map_err(|e| db_err(&format!("cannot open {}", path.display()), e))?;
        let txn = db.begin_write().map_err(|e| db_err("begin", e))?;
        let (images, after_crash, first_id) = {
            let mut names = txn.open_table(NAMES).map_err(|e| db_err("names", e))?;
            let owner = names.get("node").map_err(|e| db_err("names", e))?.map(|v| v.value().to_owned());
            match owner {
                Some(owner) if owner != node => {
                    return Err(format!("data directory {} belongs to node \"{owner}\", not \"{node}\"", dir.display()))
                }
                Some(_) => {}
                None => {
                    names.insert("node", node).map_err(|e| db_err("names", e))?;
                }
            }
            let mut meta = txn.open_table(META).map_err(|e| db_err("meta", e))?;
            let get = |meta: &redb::Table<&str, u64>, key: &str| -> Result<Option<u64>, String> {
                Ok(meta.get(key).map_err(|e| db_err("meta", e))?.map(|v| v.value()))
            };
            // A new store counts as cleanly stopped.
            let after_crash = get(&meta, CLEAN_STOP)? == Some(0);
            let first_id = get(&meta, IDS_RESERVED)?.unwrap_or(1);
            meta.insert(CLEAN_STOP, 0).map_err(|e| db_err("meta", e))?;

            let mut agents = txn.open_table(AGENTS).map_err(|e| db_err("agents", e))?;
            let mut images = Vec::new();
            let mut unreadable = Vec::new();
            for entry in agents.iter().map_err(|e| db_err("agents", e))? {
                let (key, value) = entry.map_err(|e| db_err("agents", e))?;
                match image::decode(value.value()) {
                    Ok(image) => images.push(image),
                    Err(why) => {
                        tracing::warn!(node = %node, "stored agent {} is unreadable ({why}); kept in unreadable_agents",
                            key.value()
                        );
                        unreadable.push((key.value().to_owned(), value.value().to_vec()));
                    }
                }
            }
            let mut aside = txn.open_table(UNREADABLE).map_err(|e| db_err("unreadable", e))?;
            for (key, bytes) in unreadable {
                aside.insert(key.as_str(), bytes.as_slice()).map_err(|e| db_err("unreadable", e))?;
                agents.remove(key.as_str()).map_err(|e| db_err("agents", e))?;
            }
            (images, after_crash, first_id)
        };
        let ended = read_ended(&txn, node)?;
        txn.commit().map_err(|e| db_err("commit", e))?;

        let db = Arc::new(db);
        let (ops, rx) = mpsc::channel();
        let writer_db = db.clone();
        let writer_node = node.to_owned();
        let writer = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || write_loop(&writer_db, &writer_node, ended_kept, rx))
            .map_err(|e| format!("cannot start the store writer: {e}"))?;
        let store = Arc::new(Store { db, ops: Some(ops), writer: Some(writer), node: node.to_owned() });
        Ok(Opened { store, images, after_crash, first_id, ended })
    }

    /// An agent whose stored image the runtime refused (see
    /// `Op::SetAside`): kept aside, reported as ended with `why`.
    pub fn set_aside(&self, id: &AgentId, why: &str) {
        self.send(Op::SetAside(id.clone(), why.to_owned()));
    }

    /// Records that the node stopped cleanly (after every agent was
    /// checkpointed and flushed).
    pub fn mark_clean_stop(&self) -> Result<(), String> {
        self.flush();
        self.write_meta(CLEAN_STOP, 1)
    }

    /// The images currently stored (for tests and tools).
    pub fn stored_agents(&self) -> Result<Vec<String>, String> {
        let txn = self.db.begin_read().map_err(|e| db_err("begin", e))?;
        let agents = txn.open_table(AGENTS).map_err(|e| db_err("agents", e))?;
        let mut ids = Vec::new();
        for entry in agents.iter().map_err(|e| db_err("agents", e))? {
            ids.push(entry.map_err(|e| db_err("agents", e))?.0.value().to_owned());
        }
        Ok(ids)
    }

    /// The verdict recorded for transfers of agent `key`.
    pub fn fence(&self, key: &str) -> Result<Option<Fence>, String> {
        let txn = self.db.begin_read().map_err(|e| db_err("begin", e))?;
        let table = match txn.open_table(FENCES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(db_err("fences", e)),
        };
        let Some(v) = table.get(key).map_err(|e| db_err("fences", e))? else { return Ok(None) };
        decode_fence(v.value()).map(Some)
    }

    /// Durably records a transfer's verdict and, when accepted, the agent
    /// as it will start here: one transaction, so neither exists without
    /// the other. Waits for earlier checkpoints first (order).
    pub fn record_arrival(&self, key: &str, fence: &Fence, agent: Option<&AgentImage>) -> Result<(), String> {
        self.flush();
        let txn = self.db.begin_write().map_err(|e| db_err("begin", e))?;
        {
            let mut fences = txn.open_table(FENCES).map_err(|e| db_err("fences", e))?;
            fences.insert(key, encode_fence(fence).as_slice()).map_err(|e| db_err("fences", e))?;
            if let Some(image) = agent {
                let mut agents = txn.open_table(AGENTS).map_err(|e| db_err("agents", e))?;
                let bytes = image::encode(image);
                agents.insert(image.id.as_str(), bytes.as_slice()).map_err(|e| db_err("agents", e))?;
            }
        }
        txn.commit().map_err(|e| db_err("commit", e))
    }

    /// The database, for the node's other tables (`kv.rs`).
    pub(crate) fn db(&self) -> &Database {
        &self.db
    }

    /// Durably records library `lib` (`published` here, or cached from
    /// another node), replacing an entry of the same name and version.
    pub fn put_library(&self, lib: &itinerant_core::Library, published: bool) -> Result<(), String> {
        let mut value = Vec::with_capacity(1 + lib.script.len());
        value.push(u8::from(published));
        value.extend_from_slice(lib.script.as_bytes());
        let txn = self.db.begin_write().map_err(|e| db_err("begin", e))?;
        txn.open_table(LIBRARIES)
            .map_err(|e| db_err("libraries", e))?
            .insert((lib.name.as_str(), lib.version.as_str()), value.as_slice())
            .map_err(|e| db_err("libraries", e))?;
        txn.commit().map_err(|e| db_err("commit", e))
    }

    /// Every stored library, with whether it was published here. A record
    /// that does not read back as a library is logged and skipped (it stays
    /// in the table).
    pub fn libraries(&self) -> Result<Vec<(itinerant_core::Library, bool)>, String> {
        let txn = self.db.begin_read().map_err(|e| db_err("begin", e))?;
        let table = match txn.open_table(LIBRARIES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(db_err("libraries", e)),
        };
        let mut out = Vec::new();
        for entry in table.iter().map_err(|e| db_err("libraries", e))? {
            let (key, value) = entry.map_err(|e| db_err("libraries", e))?;
            let (name, version) = key.value();
            let value = value.value();
            let script = value.get(1..).and_then(|s| String::from_utf8(s.to_vec()).ok());
            match script
                .ok_or_else(|| "not UTF-8".to_string())
                .and_then(|s| itinerant_core::Library::new(name, version, s))
            {
                Ok(lib) => out.push((lib, value[0] == 1)),
                Err(why) => {
                    tracing::warn!(node = %self.node, "stored library {name} {version} is unreadable ({why}); skipped")
                }
            }
        }
        Ok(out)
    }

    fn send(&self, op: Op) -> bool {
        self.ops.as_ref().is_some_and(|ops| ops.send(op).is_ok())
    }

    fn write_meta(&self, key: &str, value: u64) -> Result<(), String> {
        let txn = self.db.begin_write().map_err(|e| db_err("begin", e))?;
        txn.open_table(META).map_err(|e| db_err("meta", e))?.insert(key, value).map_err(|e| db_err("meta", e))?;
        txn.commit().map_err(|e| db_err("commit", e))
    }
}

impl Persist for Store {
    fn save(&self, image: AgentImage) {
        self.send(Op::Save(Box::new(image)));
    }

    fn forget(&self, id: &AgentId) {
        self.send(Op::Forget(id.clone()));
    }

    fn ended(&self, id: &AgentId, outcome: &AgentOutcome) {
        self.send(Op::End(id.clone(), outcome.result.clone()));
    }

    fn reserve_ids(&self, upto: u64) {
        if let Err(e) = self.write_meta(IDS_RESERVED, upto) {
            tracing::warn!(node = %self.node, "cannot reserve agent ids: {e}");
        }
    }

    fn flush(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        if self.send(Op::Flush(done)) && wait.recv_timeout(FLUSH_TIMEOUT).is_err() {
            tracing::warn!(node = %self.node, "the store did not flush within {FLUSH_TIMEOUT:?}");
        }
    }
}

fn encode_fence(f: &Fence) -> Vec<u8> {
    let mut out = f.epoch.to_be_bytes().to_vec();
    let (flag, text) = match &f.outcome {
        Ok(id) => (1, id),
        Err(why) => (0, why),
    };
    out.push(flag);
    out.extend_from_slice(text.as_bytes());
    out
}

fn decode_fence(b: &[u8]) -> Result<Fence, String> {
    if b.len() < 9 {
        return Err("store: fence record too short".into());
    }
    let epoch = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    let text = String::from_utf8(b[9..].to_vec()).map_err(|_| "store: fence record is not UTF-8".to_string())?;
    let outcome = match b[8] {
        1 => Ok(text),
        0 => Err(text),
        f => return Err(format!("store: bad fence flag {f}")),
    };
    Ok(Fence { epoch, outcome })
}

/// `ENDED` value: sequence number, end time (ms), 1 and the result or 0
/// and the error.
fn encode_ended(seq: u64, ended_at_ms: u64, result: &Result<String, String>) -> Vec<u8> {
    let (flag, text) = match result {
        Ok(r) => (1, r),
        Err(e) => (0, e),
    };
    let mut cut = text.len().min(MAX_ENDED_TEXT);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = Vec::with_capacity(17 + cut);
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&ended_at_ms.to_be_bytes());
    out.push(flag);
    out.extend_from_slice(&text.as_bytes()[..cut]);
    out
}

/// The sequence number, end time and outcome of an `ENDED` value.
fn decode_ended(b: &[u8]) -> Result<(u64, u64, Result<String, String>), String> {
    if b.len() < 17 {
        return Err("store: ended record too short".into());
    }
    let seq = u64::from_be_bytes(b[0..8].try_into().map_err(|_| "store: ended record")?);
    let at = u64::from_be_bytes(b[8..16].try_into().map_err(|_| "store: ended record")?);
    let text = String::from_utf8(b[17..].to_vec()).map_err(|_| "store: ended record is not UTF-8".to_string())?;
    let result = match b[16] {
        1 => Ok(text),
        0 => Err(text),
        f => return Err(format!("store: bad ended flag {f}")),
    };
    Ok((seq, at, result))
}

/// The stored outcomes, oldest first (an unreadable one is logged and
/// skipped: it stays in the table).
fn read_ended(txn: &redb::WriteTransaction, node: &str) -> Result<Vec<EndedRecord>, String> {
    let table = txn.open_table(ENDED).map_err(|e| db_err("ended", e))?;
    let mut ended = Vec::new();
    for entry in table.iter().map_err(|e| db_err("ended", e))? {
        let (key, value) = entry.map_err(|e| db_err("ended", e))?;
        let id = AgentId::parse(key.value());
        match (id, decode_ended(value.value())) {
            (Some(id), Ok((seq, ended_at_ms, result))) => ended.push((seq, EndedRecord { id, result, ended_at_ms })),
            (_, Err(why)) => tracing::warn!(node = %node, "outcome of agent {} is unreadable: {why}", key.value()),
            (None, _) => tracing::info!(node = %node, "outcome of a bad agent id \"{}\"", key.value()),
        }
    }
    ended.sort_by_key(|(seq, _)| *seq);
    Ok(ended.into_iter().map(|(_, r)| r).collect())
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl Drop for Store {
    /// Lets the writer commit what is queued, and waits for it (the
    /// database file stays locked until then).
    fn drop(&mut self) {
        self.ops = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// Commits queued operations in batches until every sender is gone.
fn write_loop(db: &Database, node: &str, ended_kept: usize, rx: mpsc::Receiver<Op>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(op) => batch.push(op),
                Err(_) => break,
            }
        }
        let mut flushed = Vec::new();
        if let Err(e) = apply(db, batch, ended_kept, &mut flushed) {
            tracing::warn!(node = %node, "checkpoints not written: {e}");
        }
        for done in flushed {
            let _ = done.send(());
        }
    }
}

fn apply(
    db: &Database,
    batch: Vec<Op>,
    ended_kept: usize,
    flushed: &mut Vec<mpsc::SyncSender<()>>,
) -> Result<(), String> {
    let txn = db.begin_write().map_err(|e| db_err("begin", e))?;
    {
        let mut agents = txn.open_table(AGENTS).map_err(|e| db_err("agents", e))?;
        let mut aside = txn.open_table(UNREADABLE).map_err(|e| db_err("unreadable", e))?;
        let mut ended = txn.open_table(ENDED).map_err(|e| db_err("ended", e))?;
        let mut order = txn.open_table(ENDED_ORDER).map_err(|e| db_err("ended", e))?;
        let mut meta = txn.open_table(META).map_err(|e| db_err("meta", e))?;
        let mut seq = meta.get(ENDED_SEQ).map_err(|e| db_err("meta", e))?.map(|v| v.value()).unwrap_or(0);
        let first_seq = seq;
        for op in batch {
            match op {
                Op::Save(image) => {
                    let bytes = image::encode(&image);
                    agents.insert(image.id.as_str(), bytes.as_slice()).map_err(|e| db_err("save", e))?;
                }
                Op::Forget(id) => {
                    agents.remove(id.as_str()).map_err(|e| db_err("forget", e))?;
                }
                Op::End(id, result) => {
                    agents.remove(id.as_str()).map_err(|e| db_err("forget", e))?;
                    record_end(&mut ended, &mut order, &mut seq, &id, &result)?;
                }
                Op::SetAside(id, why) => {
                    if let Some(bytes) = agents.remove(id.as_str()).map_err(|e| db_err("set aside", e))? {
                        aside.insert(id.as_str(), bytes.value()).map_err(|e| db_err("set aside", e))?;
                    }
                    record_end(&mut ended, &mut order, &mut seq, &id, &Err(why))?;
                }
                Op::Flush(done) => flushed.push(done),
            }
        }
        if seq != first_seq {
            meta.insert(ENDED_SEQ, seq).map_err(|e| db_err("meta", e))?;
            trim_ended(&mut ended, &mut order, ended_kept)?;
        }
    }
    txn.commit().map_err(|e| db_err("commit", e))
}

/// Writes agent `id`'s outcome with sequence number `seq`, then counts it.
fn record_end(
    ended: &mut redb::Table<&str, &[u8]>,
    order: &mut redb::Table<u64, &str>,
    seq: &mut u64,
    id: &AgentId,
    result: &Result<String, String>,
) -> Result<(), String> {
    let record = encode_ended(*seq, now_ms(), result);
    ended.insert(id.as_str(), record.as_slice()).map_err(|e| db_err("ended", e))?;
    order.insert(*seq, id.as_str()).map_err(|e| db_err("ended", e))?;
    *seq += 1;
    Ok(())
}

/// Drops the oldest outcomes beyond `kept`. An id's `ENDED` entry goes
/// only with its latest rank (an id that ended twice has two).
fn trim_ended(
    ended: &mut redb::Table<&str, &[u8]>,
    order: &mut redb::Table<u64, &str>,
    kept: usize,
) -> Result<(), String> {
    while order.len().map_err(|e| db_err("ended", e))? > kept as u64 {
        let Some((seq, id)) = order.pop_first().map_err(|e| db_err("ended", e))? else { break };
        let (seq, id) = (seq.value(), id.value().to_owned());
        let current = ended.get(id.as_str()).map_err(|e| db_err("ended", e))?.map(|v| decode_ended(v.value()));
        if matches!(current, Some(Ok((s, _, _))) if s == seq) {
            ended.remove(id.as_str()).map_err(|e| db_err("ended", e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(n: u64) -> AgentImage {
        AgentImage::fresh(AgentId::parse(&format!("{n}@alpha")).unwrap(), vec![n as u8; 10], 0)
    }

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("itin-store-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn saves_survive_reopening_and_forget_removes() {
        let dir = temp_dir("reopen");
        let opened = Store::open(&dir, "alpha", 100).unwrap();
        assert!(!opened.after_crash && opened.images.is_empty());
        let store = opened.store;
        for n in 1..=3 {
            store.save(image(n));
        }
        store.forget(&AgentId::parse("2@alpha").unwrap());
        store.reserve_ids(1000);
        store.flush();
        drop(store);
        // Not marked clean: the next open reports a crash.
        let opened = Store::open(&dir, "alpha", 100).unwrap();
        assert!(opened.after_crash);
        assert_eq!(opened.first_id, 1000);
        let mut ids: Vec<_> = opened.images.iter().map(|i| i.id.to_string()).collect();
        ids.sort();
        assert_eq!(ids, ["1@alpha", "3@alpha"]);
        opened.store.mark_clean_stop().unwrap();
        drop(opened);
        assert!(!Store::open(&dir, "alpha", 100).unwrap().after_crash);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ended_outcomes_replace_the_image_durably_and_only_the_latest_are_kept() {
        let dir = temp_dir("ended");
        let store = Store::open(&dir, "alpha", 3).unwrap().store;
        for n in 1..=5 {
            store.save(image(n));
        }
        let id = |n: u64| AgentId::parse(&format!("{n}@alpha")).unwrap();
        store.ended(&id(1), &AgentOutcome { result: Ok("one".into()) });
        store.flush();
        for n in 2..=4 {
            store.ended(&id(n), &AgentOutcome { result: Err(format!("e{n}")) });
        }
        store.flush();
        drop(store);
        let opened = Store::open(&dir, "alpha", 3).unwrap();
        let ids: Vec<_> = opened.images.iter().map(|i| i.id.to_string()).collect();
        assert_eq!(ids, ["5@alpha"], "an ended agent's image is gone");
        let ended: Vec<_> = opened.ended.iter().map(|e| (e.id.to_string(), e.result.clone())).collect();
        // The oldest (1) was dropped: three kept, oldest first.
        assert_eq!(
            ended,
            [
                ("2@alpha".into(), Err("e2".into())),
                ("3@alpha".into(), Err("e3".into())),
                ("4@alpha".into(), Err("e4".into()))
            ]
        );
        assert!(opened.ended.iter().all(|e| e.ended_at_ms > 0));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn ended_records_round_trip_and_refuse_garbage() {
        let long = "é".repeat(MAX_ENDED_TEXT);
        let (seq, at, r) = decode_ended(&encode_ended(7, 9, &Ok(long))).unwrap();
        assert_eq!((seq, at), (7, 9));
        assert!(r.unwrap().len() <= MAX_ENDED_TEXT, "cut at a character boundary");
        assert_eq!(decode_ended(&encode_ended(1, 2, &Err("x".into()))).unwrap().2, Err("x".into()));
        assert!(decode_ended(&[0; 16]).is_err());
        assert!(decode_ended(&[[0; 16].as_slice(), &[7]].concat()).is_err());
    }

    #[test]
    fn another_nodes_directory_is_refused() {
        let dir = temp_dir("owner");
        drop(Store::open(&dir, "alpha", 100).unwrap());
        let err = Store::open(&dir, "beta", 100).err().unwrap();
        assert!(err.contains("belongs to node \"alpha\""), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn unreadable_records_are_set_aside() {
        let dir = temp_dir("bad");
        let opened = Store::open(&dir, "alpha", 100).unwrap();
        opened.store.save(image(1));
        opened.store.flush();
        {
            let txn = opened.store.db.begin_write().unwrap();
            txn.open_table(AGENTS).unwrap().insert("9@alpha", b"garbage".as_slice()).unwrap();
            txn.commit().unwrap();
        }
        drop(opened);
        let opened = Store::open(&dir, "alpha", 100).unwrap();
        assert_eq!(opened.images.len(), 1);
        let txn = opened.store.db.begin_read().unwrap();
        assert!(txn.open_table(UNREADABLE).unwrap().get("9@alpha").unwrap().is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_image_refused_at_restore_is_kept_aside_and_ends_with_the_reason() {
        let dir = temp_dir("aside");
        let store = Store::open(&dir, "alpha", 100).unwrap().store;
        store.save(image(1));
        store.save(image(2));
        let id = AgentId::parse("1@alpha").unwrap();
        store.set_aside(&id, "bad snapshot");
        store.flush();
        drop(store);
        let opened = Store::open(&dir, "alpha", 100).unwrap();
        let ids: Vec<_> = opened.images.iter().map(|i| i.id.to_string()).collect();
        assert_eq!(ids, ["2@alpha"], "not tried again at the next start");
        let ended: Vec<_> = opened.ended.iter().map(|e| (e.id.to_string(), e.result.clone())).collect();
        assert_eq!(ended, [("1@alpha".into(), Err("bad snapshot".into()))]);
        let txn = opened.store.db.begin_read().unwrap();
        let kept = txn.open_table(UNREADABLE).unwrap().get("1@alpha").unwrap().map(|v| v.value().to_vec());
        assert_eq!(kept, Some(image::encode(&image(1))), "the image itself is kept");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
