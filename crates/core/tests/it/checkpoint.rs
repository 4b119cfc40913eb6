//! Checkpoints through an in-memory store: a runtime stopped cleanly (or
//! abandoned, as in a crash) and a new one restored from the images
//! continues every agent where it was.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use itinerant_core::{AgentId, AgentImage, AgentState, Persist, Runtime, RuntimeConfig};

#[derive(Default)]
struct MemoryStore {
    images: Mutex<HashMap<AgentId, AgentImage>>,
    reserved: Mutex<u64>,
    saves: Mutex<usize>,
}

impl Persist for MemoryStore {
    fn save(&self, image: AgentImage) {
        *self.saves.lock().unwrap() += 1;
        self.images.lock().unwrap().insert(image.id.clone(), image);
    }
    fn forget(&self, id: &AgentId) {
        self.images.lock().unwrap().remove(id);
    }
    fn reserve_ids(&self, upto: u64) {
        *self.reserved.lock().unwrap() = upto;
    }
    fn flush(&self) {}
}

impl MemoryStore {
    fn images(&self) -> Vec<AgentImage> {
        self.images.lock().unwrap().values().cloned().collect()
    }
}

fn runtime(store: &Arc<MemoryStore>) -> Runtime {
    let mut config = RuntimeConfig::for_node("alpha");
    config.workers = 2;
    config.checkpoint_interval = Duration::from_millis(50);
    let rt = Runtime::new(config);
    rt.set_persist(store.clone());
    rt.set_first_id(*store.reserved.lock().unwrap());
    rt
}

fn poll<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn clean_stop_and_restore_continue_every_agent() {
    let store = Arc::new(MemoryStore::default());
    let rt = runtime(&store);
    // A receiver in the middle of a loop, with state in a proc's frame.
    let counter = rt
        .spawn(
            "proc loop {} { set sum 0; while 1 { agent_receive c b; if {$b eq {end}} { return $sum }; incr sum $b } }
             loop",
            Some("counter"),
        )
        .unwrap();
    for i in 1..=3 {
        rt.send_text(&counter, None, 0, &i.to_string()).unwrap();
    }
    // A sleeper, a suspended agent, one that never ran beyond a busy loop.
    let sleeper = rt.spawn("after 300; set x woke", None).unwrap();
    let suspended = rt.spawn("agent_receive c b; set got $b", None).unwrap();
    rt.suspend(&suspended).unwrap();
    let busy = rt.spawn("set i 0; while {$i < 3000000} { incr i }; set i", None).unwrap();
    poll("the counter to wait", || (rt.state(&counter) == Some(AgentState::Waiting)).then_some(()));
    std::thread::sleep(Duration::from_millis(20));
    rt.checkpoint_and_stop();
    let images = store.images();
    assert_eq!(images.len(), 4, "{images:?}");

    let rt = runtime(&store);
    for image in images {
        rt.restore(image).unwrap();
    }
    assert_eq!(rt.state(&suspended), Some(AgentState::Suspended));
    rt.send_text(&counter, None, 0, "4").unwrap();
    rt.send_text(&counter, None, 0, "end").unwrap();
    assert_eq!(rt.wait(&counter, Duration::from_secs(10)).unwrap().result, Ok("10".into()));
    assert_eq!(rt.wait(&sleeper, Duration::from_secs(10)).unwrap().result, Ok("woke".into()));
    assert_eq!(rt.wait(&busy, Duration::from_secs(30)).unwrap().result, Ok("3000000".into()));
    rt.send_text(&suspended, None, 0, "hi").unwrap();
    rt.resume(&suspended).unwrap();
    assert_eq!(rt.wait(&suspended, Duration::from_secs(10)).unwrap().result, Ok("hi".into()));
    // A new agent never reuses a number given before the restart.
    let fresh = rt.spawn("set x 1", None).unwrap();
    let n: u64 = fresh.as_str().split('@').next().unwrap().parse().unwrap();
    assert!(n >= 1 << 16, "{fresh}");
    rt.wait(&fresh, Duration::from_secs(10)).unwrap();
    assert!(store.images().is_empty(), "ended agents leave the store");
    rt.shutdown();
}

#[test]
fn without_a_clean_stop_agents_resume_from_their_last_checkpoint() {
    let store = Arc::new(MemoryStore::default());
    let rt = runtime(&store);
    // Counts in a loop that blocks in receive: each block is a checkpoint.
    let id = rt.spawn("set n 0; while 1 { agent_receive c b; incr n; if {$b eq {stop}} { return $n } }", None).unwrap();
    for _ in 0..5 {
        rt.send_text(&id, None, 0, "tick").unwrap();
    }
    poll("five ticks checkpointed", || {
        let image = store.images.lock().unwrap().get(&id).cloned()?;
        let mut probe = itinerant_tcl::snapshot::restore(&image.snapshot).ok()?;
        (probe.get_var("n").ok()? == "5").then_some(())
    });
    // The "crash": this runtime is abandoned without a clean stop.
    drop(rt);
    let rt = runtime(&store);
    for image in store.images() {
        rt.restore(image).unwrap();
    }
    rt.send_text(&id, None, 0, "stop").unwrap();
    assert_eq!(rt.wait(&id, Duration::from_secs(10)).unwrap().result, Ok("6".into()));
    rt.shutdown();
}

#[test]
fn park_checkpoints_are_coalesced() {
    let store = Arc::new(MemoryStore::default());
    let rt = runtime(&store);
    let echo = rt.spawn("while 1 { agent_receive c b; if {$b eq {stop}} break }", None).unwrap();
    for _ in 0..2000 {
        rt.send_text(&echo, None, 0, "x").unwrap();
    }
    rt.send_text(&echo, None, 0, "stop").unwrap();
    rt.wait(&echo, Duration::from_secs(10)).unwrap();
    let saves = *store.saves.lock().unwrap();
    assert!(saves < 200, "{saves} checkpoints for 2000 receives");
    rt.shutdown();
}

#[test]
fn a_timed_wait_keeps_its_deadline_across_a_restore() {
    let store = Arc::new(MemoryStore::default());
    let rt = runtime(&store);
    let id = rt.spawn("set c none; agent_receive c b -timeout 400; list timeout $c", None).unwrap();
    poll("the agent to wait", || (rt.state(&id) == Some(AgentState::Waiting)).then_some(()));
    let started = Instant::now();
    rt.checkpoint_and_stop();
    let rt = runtime(&store);
    for image in store.images() {
        assert!(image.wake_at_ms.is_some());
        rt.restore(image).unwrap();
    }
    assert_eq!(rt.wait(&id, Duration::from_secs(10)).unwrap().result, Ok("timeout none".into()));
    assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
    rt.shutdown();
}

#[test]
fn a_bad_image_is_refused_with_a_reason() {
    let store = Arc::new(MemoryStore::default());
    let rt = runtime(&store);
    let image = AgentImage::fresh(AgentId::parse("5@alpha").unwrap(), b"garbage".to_vec(), 0);
    let err = rt.restore(image).unwrap_err();
    assert!(err.contains("bad snapshot"), "{err}");
    rt.shutdown();
}

/// A router that keeps departures unanswered (the test answers them).
#[derive(Default)]
struct HoldingRouter {
    departures: Mutex<Vec<itinerant_core::Departure>>,
}

impl itinerant_core::Router for HoldingRouter {
    fn route(&self, to: &AgentId, _msg: itinerant_core::Message) -> Result<(), itinerant_core::SendError> {
        Err(itinerant_core::SendError::NoSuchAgent(to.to_string()))
    }
    fn depart(&self, departure: itinerant_core::Departure) -> Result<(), String> {
        self.departures.lock().unwrap().push(departure);
        Ok(())
    }
}

#[test]
fn a_move_under_way_at_a_crash_is_sent_again_and_a_refusal_leaves_the_agent_waiting() {
    use itinerant_core::{DepartureKind, DepartureOutcome};
    let store = Arc::new(MemoryStore::default());
    let rt = runtime(&store);
    let router = Arc::new(HoldingRouter::default());
    rt.set_router(router.clone());
    let id = rt.spawn("set from [agent_receive code body -timeout 60000]; list $code $body", None).unwrap();
    poll("the agent to wait", || (rt.state(&id) == Some(AgentState::Waiting)).then_some(()));
    rt.migrate(&id, "beta").unwrap();
    let sent = poll("the move", || router.departures.lock().unwrap().pop());
    assert_eq!((sent.kind, sent.dest.as_str(), sent.image.epoch), (DepartureKind::Move, "beta", 1));
    assert_eq!(sent.image.moving_to, None);
    assert!(sent.image.wake_at_ms.is_some());
    assert_eq!(rt.state(&id), Some(AgentState::Transit));
    // Crash: the store has the frozen agent with the move under way.
    drop(rt);
    let stored = store.images();
    assert_eq!(stored[0].moving_to.as_deref(), Some("beta"));
    let rt = runtime(&store);
    let router = Arc::new(HoldingRouter::default());
    rt.set_router(router.clone());
    for image in stored {
        rt.restore(image).unwrap();
    }
    let again = poll("the same move again", || router.departures.lock().unwrap().pop());
    assert_eq!(
        (again.kind, again.image.epoch, again.image.wake_at_ms),
        (DepartureKind::Move, 1, sent.image.wake_at_ms)
    );
    // Refused: it waits on in its receive (not answered as if it asked).
    rt.departure_done(&id, 1, DepartureOutcome::Refused("node beta is draining".into()));
    poll("the agent to wait again", || (rt.state(&id) == Some(AgentState::Waiting)).then_some(()));
    assert_eq!(rt.move_status(&id), itinerant_core::MoveStatus::Refused("node beta is draining".into()));
    rt.send_text(&id, None, 4, "here").unwrap();
    assert_eq!(rt.wait(&id, Duration::from_secs(10)).unwrap().result, Ok("4 here".into()));
    rt.shutdown();
}
