//! The runtime's builder of WebAssembly programs (`ProgramFactory`): new
//! agents from instrumented modules, restored ones from snapshots, with
//! the modules kept as content-addressed code segments.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use itinerant_core::program::{Program, ProgramFactory};

use crate::instrument::content_hash;
use crate::program::{CodeCache, WasmProgram};

/// Where a node keeps instrumented modules, by the hex sha-256 of their
/// bytes (durable in the node's store; in memory for tests).
pub trait ModuleStore: Send + Sync {
    fn get(&self, hash: &str) -> Option<Vec<u8>>;
    fn put(&self, hash: &str, module: &[u8]) -> Result<(), String>;
}

/// Modules in memory.
#[derive(Default)]
pub struct MemoryModules(Mutex<HashMap<String, Arc<[u8]>>>);

impl ModuleStore for MemoryModules {
    fn get(&self, hash: &str) -> Option<Vec<u8>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(hash).map(|m| m.to_vec())
    }

    fn put(&self, hash: &str, module: &[u8]) -> Result<(), String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(hash.to_owned(), Arc::from(module));
        Ok(())
    }
}

pub struct WasmFactory {
    modules: Arc<dyn ModuleStore>,
    cache: CodeCache,
    /// Largest memory a restored snapshot may have (the node's quota).
    max_memory: usize,
}

impl WasmFactory {
    pub fn new(modules: Arc<dyn ModuleStore>, max_memory: usize) -> WasmFactory {
        WasmFactory { modules, cache: CodeCache::default(), max_memory }
    }

    /// Keeps an instrumented module (its hash checked against its bytes);
    /// returns its hash.
    pub fn add_module(&self, instrumented: &[u8], claimed: Option<&str>) -> Result<String, String> {
        let hash = content_hash(instrumented);
        if let Some(c) = claimed {
            if c != hash {
                return Err(format!("module refused: its bytes hash to {hash}, not {c}"));
            }
        }
        crate::program::compile(instrumented)?;
        self.modules.put(&hash, instrumented)?;
        Ok(hash)
    }

    /// Does this node have the module?
    pub fn has_module(&self, hash: &str) -> bool {
        self.modules.get(hash).is_some()
    }

    pub fn module(&self, hash: &str) -> Option<Vec<u8>> {
        self.modules.get(hash)
    }
}

impl ProgramFactory for WasmFactory {
    fn create(&self, instrumented: &[u8]) -> Result<Box<dyn Program>, String> {
        let code = self.cache.get_or_compile(instrumented)?;
        self.modules.put(&code.hash_hex(), instrumented)?;
        Ok(Box::new(WasmProgram::new(&code)?))
    }

    fn restore(&self, snapshot: &[u8]) -> Result<Box<dyn Program>, String> {
        let hash = crate::snapshot::module_hash_of(snapshot).ok_or("not a WebAssembly agent snapshot")?;
        // A compiled module in the cache was hashed from its bytes when it
        // was compiled; otherwise the stored bytes are checked now.
        let code = match snapshot.get(6..38).and_then(|h| self.cache.get(h.try_into().ok()?)) {
            Some(code) => code,
            None => {
                let bytes = self.modules.get(&hash).ok_or_else(|| format!("module {hash} is not on this node"))?;
                if content_hash(&bytes) != hash {
                    return Err(format!("module {hash} on this node does not match its hash"));
                }
                self.cache.get_or_compile(&bytes)?
            }
        };
        Ok(Box::new(WasmProgram::restore(&code, snapshot, self.max_memory)?))
    }

    fn code_of(&self, snapshot: &[u8]) -> Option<String> {
        crate::snapshot::module_hash_of(snapshot)
    }
}
