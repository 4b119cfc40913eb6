//! `package require` of libraries through a router that stands in for the
//! node: found here, fetched from "elsewhere" (answered from another
//! thread), not found anywhere; loaded once; kept across a snapshot.

use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use itinerant_core::{AgentId, Library, Message, Requirement, Router, Runtime, RuntimeConfig, SendError};

const WAIT: Duration = Duration::from_secs(20);

/// Libraries "here" and "elsewhere"; fetches are answered after a delay.
#[derive(Default)]
struct FakeNode {
    here: Mutex<Vec<Library>>,
    elsewhere: Vec<Library>,
    runtime: OnceLock<Weak<Runtime>>,
    fetches: Mutex<Vec<String>>,
}

fn best(libs: &[Library], name: &str, req: &Requirement) -> Option<Library> {
    let versions = libs.iter().filter(|l| l.name == name).map(|l| l.version.as_str());
    let v = itinerant_core::library::choose(versions, req)?;
    libs.iter().find(|l| l.name == name && l.version == v).cloned()
}

impl Router for FakeNode {
    fn route(&self, to: &AgentId, _msg: Message) -> Result<(), SendError> {
        Err(SendError::NoSuchAgent(to.to_string()))
    }

    fn find_library(&self, name: &str, req: &Requirement) -> Option<Library> {
        best(&self.here.lock().unwrap(), name, req)
    }

    fn library_versions(&self, name: &str) -> Vec<String> {
        self.here.lock().unwrap().iter().filter(|l| l.name == name).map(|l| l.version.clone()).collect()
    }

    fn fetch_library(&self, agent: &AgentId, ticket: u64, name: &str, req: &Requirement) -> Result<(), String> {
        self.fetches.lock().unwrap().push(format!("{name} {req}"));
        let found = best(&self.elsewhere, name, req);
        if let Some(lib) = &found {
            self.here.lock().unwrap().push(lib.clone()); // cached
        }
        let rt = self.runtime.get().cloned().unwrap();
        let agent = agent.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            if let Some(rt) = rt.upgrade() {
                rt.library_fetched(&agent, ticket, found);
            }
        });
        Ok(())
    }
}

fn lib(name: &str, version: &str, script: &str) -> Library {
    Library::new(name, version, script.into()).unwrap()
}

fn node(here: Vec<Library>, elsewhere: Vec<Library>) -> (Arc<Runtime>, Arc<FakeNode>) {
    let mut c = RuntimeConfig::for_node("alpha");
    c.workers = 2;
    let rt = Arc::new(Runtime::new(c));
    let fake = Arc::new(FakeNode { here: Mutex::new(here), elsewhere, ..FakeNode::default() });
    fake.runtime.set(Arc::downgrade(&rt)).unwrap();
    rt.set_router(fake.clone());
    (rt, fake)
}

fn run(rt: &Runtime, script: &str) -> Result<String, String> {
    let id = rt.spawn(script, None).unwrap();
    rt.wait(&id, WAIT).expect("the agent ends").result
}

const GEO_1: &str = "set geo_loads [expr {[info exists geo_loads] ? $geo_loads + 1 : 1}]
proc geo_area {w h} { expr {$w * $h} }
package provide geo 1.0";

#[test]
fn a_library_here_is_loaded_at_the_global_level_once() {
    let (rt, fake) = node(vec![lib("geo", "1.0", GEO_1), lib("geo", "1.2", GEO_1), lib("geo", "2.0", "")], vec![]);
    let r = run(
        &rt,
        "proc f {} { package require geo 1 }
         list [f] [package require geo] [geo_area 3 4] $geo_loads [package present geo] [package versions geo]",
    );
    assert_eq!(r, Ok("1.2 1.2 12 1 1.2 {1.0 1.2 2.0}".into()));
    assert!(fake.fetches.lock().unwrap().is_empty(), "nothing fetched");
    // Another major version than the loaded one is a conflict.
    let r = run(&rt, "package require geo 1.0; catch {package require geo 2} m; set m");
    assert_eq!(r, Ok("version conflict for package \"geo\": have 1.2, need 2".into()));
    assert_eq!(run(&rt, "package require -exact geo 1.0"), Ok("1.0".into()));
    assert_eq!(run(&rt, "package require fipa; package present fipa"), Ok("1.0".into()));
    drop(rt);
}

#[test]
fn a_missing_library_is_fetched_while_the_agent_waits_then_cached() {
    let (rt, fake) = node(vec![], vec![lib("geo", "1.0", GEO_1), lib("geo", "1.5", GEO_1)]);
    let r = run(&rt, "list [package require geo 1.1] [geo_area 2 5]");
    assert_eq!(r, Ok("1.5 10".into()));
    // Cached now: a second agent loads it without a fetch.
    assert_eq!(run(&rt, "package require geo"), Ok("1.5".into()));
    assert_eq!(*fake.fetches.lock().unwrap(), ["geo 1.1"]);
    drop(rt);
}

#[test]
fn a_library_found_nowhere_is_tcls_error() {
    let (rt, _) = node(vec![], vec![]);
    let r = run(&rt, "list [catch {package require nosuch 2.1} m] $m [catch {package require {a b}} m2] $m2");
    assert_eq!(r, Ok("1 {can't find package nosuch 2.1} 1 {can't find package a b}".into()));
    let r = run(&rt, "catch {package require -exact geo x} m; set m");
    assert_eq!(r, Ok("expected version number but got \"x\"".into()));
    drop(rt);
}

#[test]
fn a_library_that_fails_to_load_is_not_recorded() {
    let (rt, _) = node(vec![lib("bad", "1.0", "proc half x { expr {$x / 2} }\nerror {bad library}")], vec![]);
    let r = run(&rt, "list [catch {package require bad} m] $m [half 8] [info exists agent_packages(bad)]");
    assert_eq!(r, Ok("1 {bad library} 4 0".into()));
    drop(rt);
}

#[test]
fn without_a_node_only_fipa_is_there() {
    let rt = Runtime::new(RuntimeConfig::for_node("alpha"));
    let id = rt.spawn("list [package require fipa] [catch {package require geo} m] $m", None).unwrap();
    assert_eq!(rt.wait(&id, WAIT).unwrap().result, Ok("1.0 1 {can't find package geo}".into()));
    rt.shutdown();
}
