//! `persistent` adapters in the node's redb store: the adapters (name ->
//! policy), their objects (body) and their servants' states (snapshot
//! bytes, by object and session). Every write is its own durable
//! transaction, so a state a client was answered with survives SIGKILL.

use redb::{ReadableDatabase, ReadableTable, TableDefinition};

use super::proto::{decode_body, encode_body};
use super::servant::Body;
use crate::store::Store;

const ADAPTERS: TableDefinition<&str, &str> = TableDefinition::new("object_adapters");
const OBJECTS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("objects");
const STATES: TableDefinition<(&str, &str, &str), &[u8]> = TableDefinition::new("object_states");

fn err(e: impl std::fmt::Display) -> String {
    format!("store: objects: {e}")
}

/// A persistent adapter as stored: its policy, objects and states.
pub struct StoredAdapter {
    pub name: String,
    pub policy: String,
    pub objects: Vec<(String, Body, super::States)>,
}

pub fn put_adapter(store: &Store, name: &str, policy: &str) -> Result<(), String> {
    let txn = store.db().begin_write().map_err(err)?;
    txn.open_table(ADAPTERS).map_err(err)?.insert(name, policy).map_err(err)?;
    txn.commit().map_err(err)
}

/// Removes an adapter with its objects and states.
pub fn remove_adapter(store: &Store, name: &str) -> Result<(), String> {
    let txn = store.db().begin_write().map_err(err)?;
    {
        txn.open_table(ADAPTERS).map_err(err)?.remove(name).map_err(err)?;
        let mut objects = txn.open_table(OBJECTS).map_err(err)?;
        let ids: Vec<String> = objects
            .range((name, "")..)
            .map_err(err)?
            .map_while(Result::ok)
            .map(|(k, _)| {
                let (a, id) = k.value();
                (a.to_owned(), id.to_owned())
            })
            .take_while(|(a, _)| a == name)
            .map(|(_, id)| id)
            .collect();
        for id in &ids {
            objects.remove((name, id.as_str())).map_err(err)?;
        }
        drop(objects);
        for id in &ids {
            remove_states(&txn, name, id)?;
        }
    }
    txn.commit().map_err(err)
}

fn remove_states(txn: &redb::WriteTransaction, adapter: &str, id: &str) -> Result<(), String> {
    let mut states = txn.open_table(STATES).map_err(err)?;
    let sessions: Vec<String> = states
        .range((adapter, id, "")..)
        .map_err(err)?
        .map_while(Result::ok)
        .map(|(k, _)| {
            let (a, i, s) = k.value();
            (a == adapter && i == id, s.to_owned())
        })
        .take_while(|(ours, _)| *ours)
        .map(|(_, s)| s)
        .collect();
    for s in sessions {
        states.remove((adapter, id, s.as_str())).map_err(err)?;
    }
    Ok(())
}

/// Adds (or replaces) an object, with the states it brings (a move).
pub fn put_object(
    store: &Store,
    adapter: &str,
    id: &str,
    body: &Body,
    states: &[(String, Vec<u8>)],
) -> Result<(), String> {
    let txn = store.db().begin_write().map_err(err)?;
    {
        txn.open_table(OBJECTS).map_err(err)?.insert((adapter, id), encode_body(body).as_slice()).map_err(err)?;
        remove_states(&txn, adapter, id)?;
        let mut table = txn.open_table(STATES).map_err(err)?;
        for (session, bytes) in states {
            table.insert((adapter, id, session.as_str()), bytes.as_slice()).map_err(err)?;
        }
    }
    txn.commit().map_err(err)
}

pub fn remove_object(store: &Store, adapter: &str, id: &str) -> Result<(), String> {
    let txn = store.db().begin_write().map_err(err)?;
    txn.open_table(OBJECTS).map_err(err)?.remove((adapter, id)).map_err(err)?;
    remove_states(&txn, adapter, id)?;
    txn.commit().map_err(err)
}

/// Durably records one servant's state (after each call that ran on it).
pub fn put_state(store: &Store, adapter: &str, id: &str, session: &str, state: &[u8]) -> Result<(), String> {
    let txn = store.db().begin_write().map_err(err)?;
    txn.open_table(STATES).map_err(err)?.insert((adapter, id, session), state).map_err(err)?;
    txn.commit().map_err(err)
}

pub fn state(store: &Store, adapter: &str, id: &str, session: &str) -> Result<Option<Vec<u8>>, String> {
    let txn = store.db().begin_read().map_err(err)?;
    let table = match txn.open_table(STATES) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(err(e)),
    };
    Ok(table.get((adapter, id, session)).map_err(err)?.map(|v| v.value().to_vec()))
}

/// Every stored adapter with its objects and states. An object whose body
/// does not decode is logged and skipped (it stays in the table).
pub fn load(store: &Store, node: &str) -> Result<Vec<StoredAdapter>, String> {
    let txn = store.db().begin_read().map_err(err)?;
    let adapters = match txn.open_table(ADAPTERS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(err(e)),
    };
    let objects = txn.open_table(OBJECTS).map_err(err)?;
    let states = txn.open_table(STATES).map_err(err)?;
    let mut out = Vec::new();
    for entry in adapters.iter().map_err(err)? {
        let (name, policy) = entry.map_err(err)?;
        let name = name.value().to_owned();
        let mut stored = StoredAdapter { name: name.clone(), policy: policy.value().to_owned(), objects: Vec::new() };
        for entry in objects.range((name.as_str(), "")..).map_err(err)? {
            let (key, value) = entry.map_err(err)?;
            let (a, id) = key.value();
            if a != name {
                break;
            }
            let body = match decode_body(value.value()) {
                Ok(b) => b,
                Err(why) => {
                    tracing::warn!(node = %node, "stored object {a}/{id} is unreadable ({why}); skipped");
                    continue;
                }
            };
            let mut kept = Vec::new();
            for s in states.range((a, id, "")..).map_err(err)? {
                let (k, v) = s.map_err(err)?;
                let (sa, sid, session) = k.value();
                if sa != a || sid != id {
                    break;
                }
                kept.push((session.to_owned(), v.value().to_vec()));
            }
            stored.objects.push((id.to_owned(), body, kept));
        }
        out.push(stored);
    }
    Ok(out)
}

const SECRETS: TableDefinition<&str, &[u8]> = TableDefinition::new("object_secrets");

/// The node's secret named `name`, made by `make` (and kept) the first
/// time it is asked for.
pub fn secret(store: &Store, name: &str, make: impl FnOnce() -> Result<Vec<u8>, String>) -> Result<Vec<u8>, String> {
    {
        let txn = store.db().begin_read().map_err(err)?;
        match txn.open_table(SECRETS) {
            Ok(t) => {
                if let Some(v) = t.get(name).map_err(err)? {
                    return Ok(v.value().to_vec());
                }
            }
            Err(redb::TableError::TableDoesNotExist(_)) => {}
            Err(e) => return Err(err(e)),
        }
    }
    let fresh = make()?;
    let txn = store.db().begin_write().map_err(err)?;
    txn.open_table(SECRETS).map_err(err)?.insert(name, fresh.as_slice()).map_err(err)?;
    txn.commit().map_err(err)?;
    Ok(fresh)
}
