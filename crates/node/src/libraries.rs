//! Code on demand on a node: the libraries it has (published here with
//! `itin lib publish`, or cached from another node), durable in the store,
//! and the fetches under way for agents that `package require` a library
//! this node lacks.
//!
//! Why fetch on demand rather than replicate every library to every node
//! (as directory entries are): a library may be a megabyte and most nodes
//! never need most libraries; the node that needs one asks its peers
//! (`Wire::LibraryRequest`), the first peer that has a suitable version
//! answers with it (`Wire::LibraryReply`), and the asker caches it durably
//! before the agent loads it, so the next agent here finds it locally.
//! The cost is one round trip the first time, and a library is found only
//! on a node linked to the asker (no multi-hop search).
//!
//! [`Fetches`] is plain state (tickets, answers counted per peer, expiry),
//! tested without sockets; `node.rs` does the I/O.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use itinerant_core::library::{check_name, choose, parse_version};
use itinerant_core::{AgentId, Library, Requirement};

use crate::store::Store;

/// Most libraries (published and cached) a node keeps.
pub const MAX_LIBRARIES: usize = 1024;
/// Most fetches under way at once.
pub const MAX_PENDING_FETCHES: usize = 4096;
/// A fetch nobody answered is forgotten after this (the agent gave up
/// after the runtime's fetch timeout already).
pub const FETCH_FORGOTTEN_AFTER: Duration = Duration::from_secs(15);

/// A library as `itin lib list` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LibraryRow {
    pub name: String,
    pub version: String,
    /// Size of the script.
    pub bytes: u64,
    /// Published on this node (otherwise cached from another).
    pub published: bool,
}

struct Entry {
    lib: Library,
    published: bool,
}

/// The libraries of one node (see the module comment).
pub struct Libraries {
    entries: Mutex<BTreeMap<(String, String), Entry>>,
    store: Option<Arc<Store>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Libraries {
    /// The libraries kept in `store` (none without a store).
    pub fn open(store: Option<Arc<Store>>) -> Result<Libraries, String> {
        let mut entries = BTreeMap::new();
        if let Some(store) = &store {
            for (lib, published) in store.libraries()? {
                entries.insert((lib.name.clone(), lib.version.clone()), Entry { lib, published });
            }
        }
        Ok(Libraries { entries: Mutex::new(entries), store })
    }

    /// Publishes a library here (durably before it is visible). Publishing
    /// the same name, version and script again is accepted (`Ok(false)`);
    /// other content under a name and version already here is refused.
    /// May block on the store: call off the async threads.
    pub fn publish(&self, name: &str, version: &str, script: String) -> Result<bool, String> {
        self.add(Library::new(name, version, script)?, true)
    }

    /// Keeps a library fetched from another node (durably).
    pub fn cache(&self, lib: &Library) -> Result<bool, String> {
        self.add(lib.clone(), false)
    }

    fn add(&self, lib: Library, published: bool) -> Result<bool, String> {
        let mut entries = lock(&self.entries);
        let key = (lib.name.clone(), lib.version.clone());
        if let Some(have) = entries.get_mut(&key) {
            if have.lib.script != lib.script {
                let how = if have.published { "published" } else { "cached" };
                return Err(format!(
                    "library {} {} is already {how} here with other content: publish it under a new version",
                    lib.name, lib.version
                ));
            }
            if published && !have.published {
                if let Some(store) = &self.store {
                    store.put_library(&lib, true)?;
                }
                have.published = true;
            }
            return Ok(false);
        }
        if entries.len() >= MAX_LIBRARIES {
            return Err(format!("this node already keeps {MAX_LIBRARIES} libraries, its limit"));
        }
        // Written while the table is locked, so the store and the table
        // agree on which content a name and version has.
        if let Some(store) = &self.store {
            store.put_library(&lib, published)?;
        }
        entries.insert(key, Entry { lib, published });
        Ok(true)
    }

    /// The libraries published here (not those cached from elsewhere).
    pub fn published(&self) -> Vec<Library> {
        lock(&self.entries).values().filter(|e| e.published).map(|e| e.lib.clone()).collect()
    }

    /// The highest version of `name` here that meets `req`.
    pub fn find(&self, name: &str, req: &Requirement) -> Option<Library> {
        let entries = lock(&self.entries);
        let of_name = || entries.range((name.to_owned(), String::new())..).take_while(|((n, _), _)| n == name);
        let version = choose(of_name().map(|((_, v), _)| v.as_str()), req)?.to_owned();
        entries.get(&(name.to_owned(), version)).map(|e| e.lib.clone())
    }

    /// The versions of `name` here.
    pub fn versions(&self, name: &str) -> Vec<String> {
        let entries = lock(&self.entries);
        entries
            .range((name.to_owned(), String::new())..)
            .take_while(|((n, _), _)| n == name)
            .map(|((_, v), _)| v.clone())
            .collect()
    }

    /// Every library here, by name then version.
    pub fn rows(&self) -> Vec<LibraryRow> {
        let entries = lock(&self.entries);
        let mut rows: Vec<LibraryRow> = entries
            .values()
            .map(|e| LibraryRow {
                name: e.lib.name.clone(),
                version: e.lib.version.clone(),
                bytes: e.lib.script.len() as u64,
                published: e.published,
            })
            .collect();
        rows.sort_by(|a, b| {
            a.name.cmp(&b.name).then_with(|| {
                let (va, vb) = (parse_version(&a.version), parse_version(&b.version));
                va.unwrap_or_default().cmp(&vb.unwrap_or_default())
            })
        });
        rows
    }
}

/// A fetch under way: the agent parked for it (with its ticket in the
/// runtime) and what it asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetch {
    pub agent: AgentId,
    pub agent_ticket: u64,
    pub name: String,
    pub req: Requirement,
    /// Peers asked that have not answered "not here" yet.
    waiting: usize,
    started: Instant,
}

/// What an answer to a fetch means for its agent.
#[derive(Debug, PartialEq, Eq)]
pub enum FetchStep {
    /// Found: cache it, then load it in the agent.
    Found(Fetch, Library),
    /// No asked peer has it: the agent fails now (not at its timeout).
    NotFound(Fetch),
    /// Other peers may still answer.
    Waiting,
    /// No such fetch (answered already, or forgotten): ignored.
    Unknown,
}

/// The fetches of one node: tickets are the node's own (the runtime's
/// ticket goes back to the runtime with the answer).
#[derive(Default)]
pub struct Fetches {
    next_ticket: u64,
    pending: HashMap<u64, Fetch>,
}

impl Fetches {
    /// Records a fetch that is about to ask `peers` peers; its ticket.
    pub fn start(
        &mut self,
        agent: &AgentId,
        agent_ticket: u64,
        name: &str,
        req: &Requirement,
        peers: usize,
        now: Instant,
    ) -> Result<u64, String> {
        check_name(name)?;
        if peers == 0 {
            return Err("no other node to ask".into());
        }
        if self.pending.len() >= MAX_PENDING_FETCHES {
            return Err(format!("{MAX_PENDING_FETCHES} library fetches are under way already"));
        }
        self.next_ticket += 1;
        let fetch = Fetch {
            agent: agent.clone(),
            agent_ticket,
            name: name.to_owned(),
            req: req.clone(),
            waiting: peers,
            started: now,
        };
        self.pending.insert(self.next_ticket, fetch);
        Ok(self.next_ticket)
    }

    /// A peer's answer to `ticket`: `found` is its version and script. An
    /// answer that is not what was asked for (another name, a version that
    /// does not meet the requirement, a malformed library) counts as "not
    /// here", with the reason for the log.
    pub fn answer(&mut self, ticket: u64, name: &str, found: Option<(String, String)>) -> (FetchStep, Option<String>) {
        let Some(fetch) = self.pending.get_mut(&ticket) else { return (FetchStep::Unknown, None) };
        let mut complaint = None;
        if let Some((version, script)) = found {
            let checked = Library::new(name, &version, script).and_then(|lib| {
                if lib.name != fetch.name {
                    Err(format!("asked for library {}, got {}", fetch.name, lib.name))
                } else if !fetch.req.satisfied_by_text(&lib.version) {
                    Err(format!("asked for {} {}, got version {}", fetch.name, fetch.req, lib.version))
                } else {
                    Ok(lib)
                }
            });
            match checked {
                Ok(lib) => {
                    let fetch = self.pending.remove(&ticket).expect("present: looked up above");
                    return (FetchStep::Found(fetch, lib), None);
                }
                Err(why) => complaint = Some(why),
            }
        }
        fetch.waiting = fetch.waiting.saturating_sub(1);
        if fetch.waiting > 0 {
            return (FetchStep::Waiting, complaint);
        }
        let fetch = self.pending.remove(&ticket).expect("present: looked up above");
        (FetchStep::NotFound(fetch), complaint)
    }

    /// Forgets fetches started before `now - FETCH_FORGOTTEN_AFTER` (a
    /// peer that never answered); how many.
    pub fn expire(&mut self, now: Instant) -> usize {
        let before = self.pending.len();
        self.pending.retain(|_, f| now.saturating_duration_since(f.started) < FETCH_FORGOTTEN_AFTER);
        before - self.pending.len()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("itin-libraries-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn any() -> Requirement {
        Requirement::Any
    }

    #[test]
    fn published_libraries_are_durable_and_immutable() {
        let dir = temp_dir("durable");
        let opened = crate::store::Store::open(&dir, "alpha", 100).unwrap();
        let libs = Libraries::open(Some(opened.store.clone())).unwrap();
        assert_eq!(libs.publish("geo", "1.0", "proc a {} {}".into()), Ok(true));
        assert_eq!(libs.publish("geo", "1.0", "proc a {} {}".into()), Ok(false), "same content again: fine");
        let e = libs.publish("geo", "1.0", "proc b {} {}".into()).unwrap_err();
        assert!(e.contains("already published here with other content"), "{e}");
        assert!(libs.publish("geo", "1.x", String::new()).unwrap_err().contains("expected version number"));
        assert!(libs.publish("g o", "1", String::new()).unwrap_err().contains("bad library name"));
        libs.publish("geo", "1.10", "proc c {} {}".into()).unwrap();
        libs.cache(&Library::new("geo", "1.9", "proc d {} {}".into()).unwrap()).unwrap();
        libs.cache(&Library::new("util", "2", String::new()).unwrap()).unwrap();
        drop(libs);
        drop(opened);

        let opened = crate::store::Store::open(&dir, "alpha", 100).unwrap();
        let libs = Libraries::open(Some(opened.store.clone())).unwrap();
        let rows: Vec<(String, String, bool)> =
            libs.rows().into_iter().map(|r| (r.name, r.version, r.published)).collect();
        let want = [("geo", "1.0", true), ("geo", "1.9", false), ("geo", "1.10", true), ("util", "2", false)];
        assert_eq!(rows, want.map(|(n, v, p)| (n.to_owned(), v.to_owned(), p)));
        assert_eq!(libs.find("geo", &any()).unwrap().script, "proc c {} {}");
        assert_eq!(libs.find("geo", &Requirement::parse("1.0-1.10", false).unwrap()).unwrap().version, "1.9");
        assert_eq!(libs.find("ge", &any()), None);
        assert_eq!(libs.versions("geo"), ["1.0", "1.10", "1.9"]);
        // Published over a cached copy with the same content: now published.
        assert_eq!(libs.publish("util", "2", String::new()), Ok(false));
        assert!(libs.rows().iter().all(|r| r.published || r.version == "1.9"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_number_of_libraries_is_bounded() {
        let libs = Libraries::open(None).unwrap();
        for i in 0..MAX_LIBRARIES {
            libs.publish("many", &i.to_string(), String::new()).unwrap();
        }
        assert!(libs.publish("more", "1", String::new()).unwrap_err().contains("limit"));
    }

    fn agent() -> AgentId {
        AgentId::parse("7@beta").unwrap()
    }

    #[test]
    fn a_fetch_ends_with_the_first_good_answer_or_when_every_peer_said_no() {
        let now = Instant::now();
        let mut f = Fetches::default();
        let req = Requirement::parse("1.2", false).unwrap();
        let t = f.start(&agent(), 3, "geo", &req, 3, now).unwrap();
        // Not here; a version that does not meet 1.2; then a good one.
        assert_eq!(f.answer(t, "geo", None), (FetchStep::Waiting, None));
        let (step, why) = f.answer(t, "geo", Some(("2.0".into(), String::new())));
        assert_eq!(step, FetchStep::Waiting);
        assert!(why.unwrap().contains("got version 2.0"));
        match f.answer(t, "geo", Some(("1.4".into(), "proc x {} {}".into()))) {
            (FetchStep::Found(fetch, lib), None) => {
                assert_eq!((fetch.agent, fetch.agent_ticket, lib.version.as_str()), (agent(), 3, "1.4"));
            }
            other => panic!("{other:?}"),
        }
        assert!(f.is_empty());
        assert_eq!(f.answer(t, "geo", None).0, FetchStep::Unknown, "a late answer is ignored");

        let t = f.start(&agent(), 4, "geo", &req, 2, now).unwrap();
        assert_eq!(f.answer(t, "geo", None).0, FetchStep::Waiting);
        let (step, why) = f.answer(t, "other", Some(("1.2".into(), String::new())));
        assert!(matches!(step, FetchStep::NotFound(ref fetch) if fetch.agent_ticket == 4), "{step:?}");
        assert!(why.unwrap().contains("asked for library geo"));
    }

    #[test]
    fn fetches_are_bounded_and_forgotten() {
        let now = Instant::now();
        let mut f = Fetches::default();
        assert!(f.start(&agent(), 1, "geo", &any(), 0, now).unwrap_err().contains("no other node"));
        assert!(f.start(&agent(), 1, "a b", &any(), 1, now).is_err());
        for i in 0..MAX_PENDING_FETCHES {
            f.start(&agent(), i as u64, "geo", &any(), 1, now).unwrap();
        }
        assert!(f.start(&agent(), 0, "geo", &any(), 1, now).unwrap_err().contains("under way"));
        assert_eq!(f.expire(now + Duration::from_secs(1)), 0);
        assert_eq!(f.expire(now + FETCH_FORGOTTEN_AFTER), MAX_PENDING_FETCHES);
        assert_eq!(f.len(), 0);
    }
}
