//! The node's key-value store (the agents' `store` command), a table of
//! the node's redb file: every `set` is its own durable transaction, so a
//! value an agent was told is stored survives a crash.

use itinerant_core::KeyValue;
use redb::{ReadableDatabase, TableDefinition};

use crate::store::Store;

const KV: TableDefinition<&str, &str> = TableDefinition::new("kv");

fn kv_err(e: impl std::fmt::Display) -> String {
    format!("store: kv: {e}")
}

impl KeyValue for Store {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        let txn = self.db().begin_read().map_err(kv_err)?;
        let table = match txn.open_table(KV) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(kv_err(e)),
        };
        Ok(table.get(key).map_err(kv_err)?.map(|v| v.value().to_owned()))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), String> {
        let txn = self.db().begin_write().map_err(kv_err)?;
        txn.open_table(KV).map_err(kv_err)?.insert(key, value).map_err(kv_err)?;
        txn.commit().map_err(kv_err)
    }

    fn unset(&self, key: &str) -> Result<(), String> {
        let txn = self.db().begin_write().map_err(kv_err)?;
        txn.open_table(KV).map_err(kv_err)?.remove(key).map_err(kv_err)?;
        txn.commit().map_err(kv_err)
    }

    fn keys(&self, prefix: &str, limit: usize) -> Result<Vec<String>, String> {
        let txn = self.db().begin_read().map_err(kv_err)?;
        let table = match txn.open_table(KV) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(kv_err(e)),
        };
        let mut keys = Vec::new();
        for entry in table.range(prefix..).map_err(kv_err)? {
            let (k, _) = entry.map_err(kv_err)?;
            let k = k.value();
            if !k.starts_with(prefix) || keys.len() >= limit {
                break;
            }
            keys.push(k.to_owned());
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_durable_and_listed_by_prefix() {
        let dir = std::env::temp_dir().join(format!("itin-kv-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let store = Store::open(&dir, "alpha", 100).unwrap().store;
            assert_eq!(store.get("a/1").unwrap(), None);
            store.set("a/1", "one").unwrap();
            store.set("a/2", "two").unwrap();
            store.set("b/1", "other").unwrap();
            store.unset("a/2").unwrap();
        }
        let store = Store::open(&dir, "alpha", 100).unwrap().store;
        assert_eq!(store.get("a/1").unwrap().as_deref(), Some("one"));
        assert_eq!(store.keys("a/", 10).unwrap(), vec!["a/1"]);
        assert_eq!(store.keys("", 10).unwrap().len(), 2);
        assert_eq!(store.keys("", 1).unwrap().len(), 1);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
