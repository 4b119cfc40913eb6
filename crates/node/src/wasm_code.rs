//! WebAssembly agents on a node (`docs/WASM.md`): the runtime's program
//! factory, the node's modules (content-addressed code segments: files
//! named by their sha-256 under `DATA/modules`, or in memory), submits
//! (instrumented off the async workers), and the exchange that makes a
//! module travel only to a node that lacks it:
//!
//! ```text
//! source                       destination
//! ModuleOffer{hash}     ->
//!                       <-     ModuleWanted{hash, wanted}
//! ModuleData (if wanted) ->    (checked against the hash, kept)
//! Transfer              ->     (restored from the module it now has)
//! ```
//!
//! The transfer is held (and not yet resent by the retry loop) until the
//! answer comes; the offer is sent again with the transfers that are. Once
//! a peer answered for a module, later transfers to it go without an offer;
//! a transfer it refuses for want of a module makes the next one offer
//! again.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use itinerant_wasm::{content_hash, MemoryModules, ModuleStore, WasmFactory};

use crate::net::frame::{Frame, Lane};
use crate::proto::Wire;

/// Modules as files `DIR/<hash>.wasm`, written whole then renamed.
struct DirModules {
    dir: PathBuf,
}

impl ModuleStore for DirModules {
    fn get(&self, hash: &str) -> Option<Vec<u8>> {
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        std::fs::read(self.dir.join(format!("{hash}.wasm"))).ok()
    }

    fn put(&self, hash: &str, module: &[u8]) -> Result<(), String> {
        let path = self.dir.join(format!("{hash}.wasm"));
        if path.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let tmp = self.dir.join(format!("{hash}.tmp{}", std::process::id()));
        std::fs::write(&tmp, module).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("cannot rename {}: {e}", tmp.display()))
    }
}

/// A transfer held until its destination answered the module offer:
/// (agent, epoch) and the transfer frame.
type Held = ((String, u64), Frame);

pub struct WasmCode {
    factory: Arc<WasmFactory>,
    /// Transfers waiting for an offer's answer, by (destination, hash).
    held: Mutex<HashMap<(String, String), Vec<Held>>>,
    /// (peer, module) pairs the peer has (it answered an offer for it).
    known: Mutex<std::collections::HashSet<(String, String)>>,
}

fn frame(w: &Wire) -> Frame {
    Frame { lane: Lane::Data, kind: w.kind(), payload: w.encode() }
}

impl WasmCode {
    /// Modules under `data/modules` if the node has a data directory.
    pub fn new(data: Option<&std::path::Path>, max_memory: usize) -> WasmCode {
        let modules: Arc<dyn ModuleStore> = match data {
            Some(d) => Arc::new(DirModules { dir: d.join("modules") }),
            None => Arc::new(MemoryModules::default()),
        };
        WasmCode {
            factory: Arc::new(WasmFactory::new(modules, max_memory)),
            held: Mutex::new(HashMap::new()),
            known: Mutex::new(std::collections::HashSet::new()),
        }
    }

    pub fn factory(&self) -> Arc<WasmFactory> {
        self.factory.clone()
    }

    /// The module a transfer's image needs, if it is a wasm agent's.
    pub fn module_of(&self, snapshot: &[u8]) -> Option<String> {
        itinerant_wasm::snapshot::module_hash_of(snapshot)
    }

    /// Does `peer` have module `hash` (it answered an offer for it)?
    pub fn peer_has(&self, peer: &str, hash: &str) -> bool {
        self.known.lock().unwrap_or_else(|e| e.into_inner()).contains(&(peer.to_owned(), hash.to_owned()))
    }

    /// `peer` refused a transfer for want of a module (it lost its
    /// modules): offer again next time.
    pub fn forget_peer(&self, peer: &str) {
        self.known.lock().unwrap_or_else(|e| e.into_inner()).retain(|(p, _)| p != peer);
    }

    /// Holds the transfer `held` to `dest` until `dest` says whether it
    /// needs module `hash`; returns the offer to send.
    pub fn hold(&self, dest: &str, hash: &str, held: Held) -> Frame {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).entry((dest.into(), hash.into())).or_default().push(held);
        frame(&Wire::ModuleOffer { hash: hash.into() })
    }

    /// The offers still unanswered (sent again by the retry loop).
    pub fn offers(&self) -> Vec<(String, Frame)> {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.keys().map(|(dest, hash)| (dest.clone(), frame(&Wire::ModuleOffer { hash: hash.clone() }))).collect()
    }

    /// The answer to an offer of `hash`.
    pub fn answer_offer(&self, hash: &str) -> Frame {
        frame(&Wire::ModuleWanted { hash: hash.into(), wanted: !self.factory.has_module(hash) })
    }

    /// `from` answered the offer of `hash`: the module (if it wants it),
    /// then the transfers held for it, which the caller sends and keeps
    /// for the retry loop.
    pub fn offer_answered(&self, from: &str, hash: &str, wanted: bool) -> (Option<Frame>, Vec<Held>) {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner()).remove(&(from.into(), hash.into()));
        let Some(held) = held else { return (None, Vec::new()) };
        self.known.lock().unwrap_or_else(|e| e.into_inner()).insert((from.to_owned(), hash.to_owned()));
        let data = match (wanted, self.factory.module(hash)) {
            (true, Some(module)) => Some(frame(&Wire::ModuleData { hash: hash.into(), module })),
            (true, None) => {
                tracing::warn!("module {hash} wanted by {from} but not here");
                None
            }
            (false, _) => None,
        };
        (data, held)
    }

    /// A module from `from`: kept if its bytes hash to `hash` and compile.
    pub fn module_received(&self, from: &str, hash: &str, module: &[u8]) {
        match self.factory.add_module(module, Some(hash)) {
            Ok(_) => tracing::debug!("module {hash} from {from} kept"),
            Err(why) => tracing::warn!("module from {from} refused: {why}"),
        }
    }

    /// A submitted module: instrumented (on the blocking pool: `wasm-opt`
    /// runs as a program), kept, and ready for `Runtime::spawn_code`.
    /// Returns the instrumented bytes.
    pub fn prepare_submission(&self, module: &[u8]) -> Result<Vec<u8>, String> {
        let instrumented = itinerant_wasm::instrument(module)?;
        self.factory.add_module(&instrumented, Some(&content_hash(&instrumented)))?;
        Ok(instrumented)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_goes_only_to_a_node_that_lacks_it() {
        let source = WasmCode::new(None, 1 << 30);
        let dest = WasmCode::new(None, 1 << 30);
        let module = wat_module();
        let instrumented = source.prepare_submission(&module).unwrap();
        let hash = content_hash(&instrumented);
        let transfer = frame(&Wire::ModuleOffer { hash: "stand-in".into() });
        let offer = source.hold("beta", &hash, (("1@alpha".into(), 1), transfer.clone()));
        assert_eq!(source.offers().len(), 1);
        let Ok(Wire::ModuleOffer { hash: offered }) = Wire::decode(offer.kind, &offer.payload) else { panic!() };
        let answer = dest.answer_offer(&offered);
        let Ok(Wire::ModuleWanted { wanted, .. }) = Wire::decode(answer.kind, &answer.payload) else { panic!() };
        assert!(wanted);
        assert!(!source.peer_has("beta", &hash));
        let (data, held) = source.offer_answered("beta", &hash, wanted);
        assert_eq!(held.len(), 1);
        assert!(source.peer_has("beta", &hash), "later transfers go without an offer");
        source.forget_peer("beta");
        assert!(!source.peer_has("beta", &hash));
        assert!(source.offers().is_empty());
        let Ok(Wire::ModuleData { hash: h, module: bytes }) =
            Wire::decode(data.as_ref().unwrap().kind, &data.unwrap().payload)
        else {
            panic!()
        };
        // Altered on the way: refused; whole: kept, and not wanted again.
        let mut tampered = bytes.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        dest.module_received("alpha", &h, &tampered);
        assert!(!dest.factory.has_module(&h));
        dest.module_received("alpha", &h, &bytes);
        assert!(dest.factory.has_module(&h));
        let answer = dest.answer_offer(&h);
        assert!(matches!(Wire::decode(answer.kind, &answer.payload), Ok(Wire::ModuleWanted { wanted: false, .. })));
    }

    fn wat_module() -> Vec<u8> {
        // The smallest agent: exports its memory and entry point.
        let mut m = vec![0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        // type section: one type () -> ()
        m.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]);
        // function section: one function of type 0
        m.extend_from_slice(&[0x03, 0x02, 0x01, 0x00]);
        // memory section: one memory, min 1
        m.extend_from_slice(&[0x05, 0x03, 0x01, 0x00, 0x01]);
        // export section: "memory" (memory 0), "itin_main" (func 0)
        let mut exports = vec![0x02];
        exports.push(6);
        exports.extend_from_slice(b"memory");
        exports.extend_from_slice(&[0x02, 0x00]);
        exports.push(9);
        exports.extend_from_slice(b"itin_main");
        exports.extend_from_slice(&[0x00, 0x00]);
        m.push(0x07);
        m.push(exports.len() as u8);
        m.extend_from_slice(&exports);
        // code section: one body, no locals, `end`
        m.extend_from_slice(&[0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b]);
        m
    }
}

/// The client requests about WebAssembly agents (control tags 70–79).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WasmRequest {
    /// Start an agent from a module (not yet instrumented), signed by its
    /// owner or not; the answer is `Submitted`. A signed one's submission
    /// script is `wasm sha256 HEX` (`submission_script`), so the
    /// signature covers the module.
    Submit {
        module: Vec<u8>,
        name: Option<String>,
        /// Parameters the agent reads (`itin submit --var`).
        vars: Vec<(String, String)>,
        credential: Option<Box<itinerant_core::Credential>>,
    },
}

const TAG_WASM_SUBMIT: u8 = 70;

/// The script a signed wasm submission carries: the module's hash.
pub fn submission_script(module: &[u8]) -> String {
    format!("wasm sha256 {}", content_hash(module))
}

impl WasmRequest {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            WasmRequest::Submit { module, name, vars, credential } => {
                out.push(TAG_WASM_SUBMIT);
                out.extend_from_slice(&(module.len() as u32).to_be_bytes());
                out.extend_from_slice(module);
                crate::proto::put_opt(out, name.as_deref());
                crate::proto::put_pairs(out, vars.iter().map(|(k, v)| (k, v)));
                match credential {
                    Some(c) => {
                        out.push(1);
                        crate::image::put_credential(out, c);
                    }
                    None => out.push(0),
                }
            }
        }
    }

    pub(crate) fn decode(tag: u8, r: &mut crate::proto::Reader) -> Result<WasmRequest, crate::proto::DecodeError> {
        use crate::proto::DecodeError;
        match tag {
            TAG_WASM_SUBMIT => {
                let n = r.u32()? as usize;
                if n > itinerant_wasm::instrument::MAX_MODULE_BYTES {
                    return Err(DecodeError(format!("module of {n} bytes")));
                }
                let module = r.take(n)?.to_vec();
                let name = r.opt()?;
                let vars = r.pairs()?;
                let credential = match r.byte()? {
                    0 => None,
                    1 => Some(Box::new(crate::image::read_credential(r)?)),
                    f => return Err(DecodeError(format!("bad flag {f}"))),
                };
                Ok(WasmRequest::Submit { module, name, vars, credential })
            }
            t => Err(DecodeError(format!("unknown request {t}"))),
        }
    }
}

/// Serves a request about wasm agents.
pub async fn handle(
    node: &crate::control::NodeView<'_>,
    req: WasmRequest,
) -> Result<crate::control::ReplyBody, String> {
    let rt = node.runtime;
    let WasmRequest::Submit { module, name, vars, credential } = req;
    crate::control::check_submission(rt, "", name.as_deref(), &vars)?;
    if let Some(c) = &credential {
        // The signature must cover this module and its parameters; then the
        // checks of any signed submission (freshness, replay; the policy in
        // the runtime).
        if c.submission.script != submission_script(&module) || c.submission.vars != vars {
            return Err("the signed submission names another module or other parameters".into());
        }
        c.verify()?;
        let now = crate::signed::now_ms();
        c.check_fresh(now, crate::signed::FRESHNESS_MS)?;
        node.owners.seen.lock().unwrap_or_else(|e| e.into_inner()).record(c, now)?;
    }
    let wasm = node.wasm.clone();
    let instrumented = tokio::task::spawn_blocking(move || wasm.prepare_submission(&module))
        .await
        .map_err(|e| format!("instrumenting failed: {e}"))??;
    let id = rt.spawn_code(&instrumented, name.as_deref(), &vars, credential.map(|c| *c))?;
    rt.flush_store();
    Ok(crate::control::ReplyBody::Submitted { id: id.to_string() })
}
