//! Object adapters as plain data: the policies an adapter runs its objects
//! under, and the two decisions they drive, kept pure so that they are
//! tested without threads or clocks:
//!
//! - [`Scheduler`]: which queued call may start now (threading policy);
//! - [`Activations`]: which servants are active and which have been idle
//!   long enough to be deactivated (activation policy).
//!
//! The instance policy decides which servant serves a call
//! ([`Policy::servant_key`]). The threads that run calls live in
//! `objects/mod.rs`; they only ask these.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

/// Most calls an adapter runs at once under `per-request` (each on a
/// thread of its own), so that a flood of calls cannot start a thread each.
pub const MAX_CONCURRENT_CALLS: usize = 256;
/// Most calls queued in one adapter; more are refused as busy.
pub const MAX_QUEUED_CALLS: usize = 65_536;
/// Largest `pool N`.
pub const MAX_POOL: usize = 256;
/// Idle time after which an `on-demand` servant is deactivated, unless the
/// adapter says otherwise.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(30);

/// How calls to an adapter's objects share threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threading {
    /// One thread of control for the whole adapter: calls run one at a time.
    Single,
    /// Calls to one object in order; different objects in parallel.
    PerObject,
    /// Every call on a thread of its own (up to `MAX_CONCURRENT_CALLS`).
    PerRequest,
    /// At most N calls at once, in arrival order.
    Pool(usize),
}

/// How the server is built: which threads run the calls the threading
/// policy lets be in progress at once (the seed's "three ways to
/// construct a server").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Organisation {
    /// One thread, one call at a time, each to its end (a call that waits
    /// holds the thread). Threading is `single`.
    Iterative,
    /// Dispatcher and workers: every call in progress has a thread of its
    /// own (from the blocking pool), as the threading policy allows.
    Threaded,
    /// One thread, never blocked: the calls in progress run a slice at a
    /// time in turn; a call that waits (`after`) is parked and the thread
    /// serves the others (a finite-state machine per call).
    Event,
}

/// Which servant serves a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instance {
    /// One servant per object, shared by every client.
    Single,
    /// One servant per object and client session.
    Session,
    /// A fresh servant for every call (stateless).
    PerCall,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifespan {
    /// Objects and their state live as long as the node process.
    Transient,
    /// Objects and their servants' state are kept in the node's store and
    /// come back after a restart or a crash.
    Persistent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// Servants are created when their object is added (or the node starts).
    Eager,
    /// Servants are created by the first call and deactivated after `idle`.
    OnDemand { idle: Duration },
}

/// An adapter's policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub organisation: Organisation,
    pub threading: Threading,
    pub instance: Instance,
    pub lifespan: Lifespan,
    pub activation: Activation,
    /// Clients may keep read-only results (`caching=strict:MS` or
    /// `relaxed:MS`, `tracking.rs`); none: no copies, no tracking.
    pub caching: Option<super::tracking::Caching>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            organisation: Organisation::Threaded,
            threading: Threading::PerObject,
            instance: Instance::Single,
            lifespan: Lifespan::Transient,
            activation: Activation::Eager,
            caching: None,
        }
    }
}

/// The servant that serves a call: the object, and the session for
/// `session` instances. `per-call` servants have no key (never kept).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServantKey {
    pub object: String,
    pub session: String,
}

impl Policy {
    /// Reads `threading=per-object instance=single lifespan=transient
    /// activation=eager idle-ms=30000 organisation=threaded` (any subset,
    /// in any order; the rest default). `threading=pool 4` is written
    /// `threading=pool:4`. `organisation=iterative` implies
    /// `threading=single` and allows no other.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let mut p = Policy::default();
        let mut idle = None;
        let mut threading = None;
        let mut on_demand = false;
        for word in text.split_whitespace() {
            let (key, value) = word.split_once('=').ok_or_else(|| format!("bad policy \"{word}\": want key=value"))?;
            match key {
                "threading" => threading = Some(parse_threading(value)?),
                "organisation" => {
                    p.organisation = match value {
                        "iterative" => Organisation::Iterative,
                        "threaded" => Organisation::Threaded,
                        "event" => Organisation::Event,
                        _ => {
                            return Err(format!("bad organisation \"{value}\": must be iterative, threaded or event"))
                        }
                    }
                }
                "instance" => {
                    p.instance = match value {
                        "single" => Instance::Single,
                        "session" => Instance::Session,
                        "per-call" => Instance::PerCall,
                        _ => return Err(format!("bad instance \"{value}\": must be single, session or per-call")),
                    }
                }
                "lifespan" => {
                    p.lifespan = match value {
                        "transient" => Lifespan::Transient,
                        "persistent" => Lifespan::Persistent,
                        _ => return Err(format!("bad lifespan \"{value}\": must be transient or persistent")),
                    }
                }
                "activation" => {
                    on_demand = match value {
                        "eager" => false,
                        "on-demand" => true,
                        _ => return Err(format!("bad activation \"{value}\": must be eager or on-demand")),
                    }
                }
                "caching" => p.caching = Some(super::tracking::Caching::parse(value)?),
                "idle-ms" => {
                    let ms: u64 = value.parse().map_err(|_| format!("bad idle-ms \"{value}\""))?;
                    idle = Some(Duration::from_millis(ms.clamp(1, 24 * 3600 * 1000)));
                }
                _ => {
                    return Err(format!(
                        "unknown policy \"{key}\": must be organisation, threading, instance, lifespan, activation, idle-ms or caching"
                    ))
                }
            }
        }
        p.threading = match (p.organisation, threading) {
            (Organisation::Iterative, None | Some(Threading::Single)) => Threading::Single,
            (Organisation::Iterative, Some(_)) => {
                return Err("organisation=iterative runs one call at a time: threading must be single".into())
            }
            (_, t) => t.unwrap_or(Threading::PerObject),
        };
        if p.caching.is_some() && p.instance != Instance::Single {
            // A copy is shared by everyone its holder serves (a node's
            // agents), so the result must not depend on the session.
            return Err("caching needs instance=single".into());
        }
        if idle.is_some() && !on_demand {
            return Err("idle-ms needs activation=on-demand".into());
        }
        if on_demand {
            p.activation = Activation::OnDemand { idle: idle.unwrap_or(DEFAULT_IDLE) };
        }
        Ok(p)
    }

    /// Which servant serves a call to `object` from `session`; none: a
    /// fresh one (`per-call`).
    pub fn servant_key(&self, object: &str, session: &str) -> Option<ServantKey> {
        match self.instance {
            Instance::Single => Some(ServantKey { object: object.to_owned(), session: String::new() }),
            Instance::Session => Some(ServantKey { object: object.to_owned(), session: session.to_owned() }),
            Instance::PerCall => None,
        }
    }
}

fn parse_threading(value: &str) -> Result<Threading, String> {
    match value {
        "single" => Ok(Threading::Single),
        "per-object" => Ok(Threading::PerObject),
        "per-request" => Ok(Threading::PerRequest),
        _ => match value.strip_prefix("pool:").map(str::parse::<usize>) {
            Some(Ok(n)) if (1..=MAX_POOL).contains(&n) => Ok(Threading::Pool(n)),
            _ => {
                Err(format!("bad threading \"{value}\": must be single, per-object, per-request or pool:N (N 1..256)"))
            }
        },
    }
}

impl fmt::Display for Policy {
    /// The form `parse` reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let threading = match self.threading {
            Threading::Single => "single".to_string(),
            Threading::PerObject => "per-object".to_string(),
            Threading::PerRequest => "per-request".to_string(),
            Threading::Pool(n) => format!("pool:{n}"),
        };
        let instance = match self.instance {
            Instance::Single => "single",
            Instance::Session => "session",
            Instance::PerCall => "per-call",
        };
        let lifespan = match self.lifespan {
            Lifespan::Transient => "transient",
            Lifespan::Persistent => "persistent",
        };
        write!(f, "threading={threading} instance={instance} lifespan={lifespan} ")?;
        match self.activation {
            Activation::Eager => write!(f, "activation=eager")?,
            Activation::OnDemand { idle } => write!(f, "activation=on-demand idle-ms={}", idle.as_millis())?,
        }
        // Left out when threaded, so that policies stored before
        // organisations existed read back the same.
        match self.organisation {
            Organisation::Threaded => {}
            Organisation::Iterative => write!(f, " organisation=iterative")?,
            Organisation::Event => write!(f, " organisation=event")?,
        }
        match self.caching {
            Some(c) => write!(f, " caching={c}"),
            None => Ok(()),
        }
    }
}

/// The threading policy as a queue: calls are submitted, the scheduler
/// says which may start; a finished call may let queued ones start.
/// `J` is whatever the executor needs to run a call.
pub struct Scheduler<J> {
    threading: Threading,
    running: usize,
    /// Objects with a call running (`per-object`).
    busy: HashSet<String>,
    queue: VecDeque<(String, J)>,
}

impl<J> Scheduler<J> {
    pub fn new(threading: Threading) -> Scheduler<J> {
        Scheduler { threading, running: 0, busy: HashSet::new(), queue: VecDeque::new() }
    }

    fn limit(&self) -> usize {
        match self.threading {
            Threading::Single => 1,
            Threading::PerObject | Threading::PerRequest => MAX_CONCURRENT_CALLS,
            Threading::Pool(n) => n,
        }
    }

    /// Queues a call to `object`; returns the calls to start now (this one
    /// or none), or the call back when the queue is full.
    pub fn submit(&mut self, object: &str, job: J) -> Result<Vec<(String, J)>, J> {
        if self.queue.len() >= MAX_QUEUED_CALLS {
            return Err(job);
        }
        self.queue.push_back((object.to_owned(), job));
        Ok(self.startable())
    }

    /// A call to `object` finished; returns the calls to start now.
    pub fn finished(&mut self, object: &str) -> Vec<(String, J)> {
        self.running = self.running.saturating_sub(1);
        if self.threading == Threading::PerObject {
            self.busy.remove(object);
        }
        self.startable()
    }

    /// Takes queued calls out (a cancel of one not yet started).
    pub fn remove_queued(&mut self, mut matches: impl FnMut(&J) -> bool) -> Option<J> {
        let at = self.queue.iter().position(|(_, j)| matches(j))?;
        self.queue.remove(at).map(|(_, j)| j)
    }

    pub fn running(&self) -> usize {
        self.running
    }

    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// The calls that may start, in arrival order: under `per-object` a
    /// call to a busy object waits while later calls to idle objects pass
    /// it; otherwise the queue is strictly first come, first served.
    fn startable(&mut self) -> Vec<(String, J)> {
        let mut start = Vec::new();
        let limit = self.limit();
        let mut i = 0;
        while i < self.queue.len() && self.running < limit {
            if self.threading == Threading::PerObject && self.busy.contains(&self.queue[i].0) {
                i += 1;
                continue;
            }
            let Some((object, job)) = self.queue.remove(i) else { break };
            if self.threading == Threading::PerObject {
                self.busy.insert(object.clone());
            }
            self.running += 1;
            start.push((object, job));
        }
        start
    }
}

/// Which servants are active: in use by how many calls, last used when.
#[derive(Default)]
pub struct Activations {
    active: BTreeMap<ServantKey, (usize, Instant)>,
}

impl Activations {
    /// A call begins on `key`'s servant; true if the servant must be
    /// activated first (it was not active).
    pub fn begin(&mut self, key: &ServantKey, now: Instant) -> bool {
        match self.active.get_mut(key) {
            Some((calls, at)) => {
                *calls += 1;
                *at = now;
                false
            }
            None => {
                self.active.insert(key.clone(), (1, now));
                true
            }
        }
    }

    /// Marks `key`'s servant active without a call (eager activation).
    pub fn activate(&mut self, key: &ServantKey, now: Instant) {
        self.active.entry(key.clone()).or_insert((0, now));
    }

    /// A call on `key`'s servant ended.
    pub fn end(&mut self, key: &ServantKey, now: Instant) {
        if let Some((calls, at)) = self.active.get_mut(key) {
            *calls = calls.saturating_sub(1);
            *at = now;
        }
    }

    /// Servants with no call running and unused for at least `idle`: they
    /// are taken out (the caller deactivates them).
    pub fn take_idle(&mut self, now: Instant, idle: Duration) -> Vec<ServantKey> {
        let idle_keys: Vec<ServantKey> = self
            .active
            .iter()
            .filter(|(_, (calls, at))| *calls == 0 && now.saturating_duration_since(*at) >= idle)
            .map(|(k, _)| k.clone())
            .collect();
        for k in &idle_keys {
            self.active.remove(k);
        }
        idle_keys
    }

    /// Forgets every servant of `object` (removed or moved).
    pub fn forget_object(&mut self, object: &str) {
        self.active.retain(|k, _| k.object != object);
    }

    pub fn is_active(&self, key: &ServantKey) -> bool {
        self.active.contains_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(started: Vec<(String, u32)>) -> Vec<u32> {
        started.into_iter().map(|(_, j)| j).collect()
    }

    #[test]
    fn policies_parse_and_print_back() {
        for text in [
            "threading=single instance=single lifespan=transient activation=eager",
            "threading=per-object instance=session lifespan=persistent activation=on-demand idle-ms=250",
            "threading=per-request instance=per-call lifespan=transient activation=eager",
            "threading=pool:4 instance=single lifespan=persistent activation=eager",
            "threading=single instance=single lifespan=transient activation=eager organisation=iterative",
            "threading=per-request instance=per-call lifespan=transient activation=eager organisation=event",
            "threading=per-object instance=single lifespan=transient activation=eager caching=strict:500",
            "threading=single instance=single lifespan=transient activation=eager organisation=event caching=relaxed:20",
        ] {
            let p = Policy::parse(text).unwrap();
            assert_eq!(p.to_string(), text);
        }
        assert_eq!(Policy::parse("").unwrap(), Policy::default());
        assert_eq!(Policy::parse("threading=pool:3").unwrap().threading, Threading::Pool(3));
        let iterative = Policy::parse("organisation=iterative").unwrap();
        assert_eq!((iterative.organisation, iterative.threading), (Organisation::Iterative, Threading::Single));
        assert_eq!(Policy::parse("organisation=event").unwrap().threading, Threading::PerObject);
        for bad in [
            "threading=pool:0",
            "threading=pool:x",
            "instance=many",
            "idle-ms=5",
            "color=red",
            "threading",
            "organisation=fsm",
            "organisation=iterative threading=per-request",
        ] {
            assert!(Policy::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instance_policy_picks_the_servant() {
        let mut p = Policy::default();
        assert_eq!(p.servant_key("o", "s1"), p.servant_key("o", "s2"));
        p.instance = Instance::Session;
        assert_ne!(p.servant_key("o", "s1"), p.servant_key("o", "s2"));
        assert_eq!(p.servant_key("o", "s1"), p.servant_key("o", "s1"));
        p.instance = Instance::PerCall;
        assert_eq!(p.servant_key("o", "s1"), None);
    }

    #[test]
    fn single_threading_serialises_every_call() {
        let mut s = Scheduler::new(Threading::Single);
        assert_eq!(names(s.submit("a", 1).unwrap()), [1]);
        assert_eq!(names(s.submit("b", 2).unwrap()), Vec::<u32>::new());
        assert_eq!(names(s.submit("a", 3).unwrap()), Vec::<u32>::new());
        assert_eq!(names(s.finished("a")), [2]);
        assert_eq!(names(s.finished("b")), [3]);
        assert_eq!(names(s.finished("a")), Vec::<u32>::new());
        assert_eq!((s.running(), s.queued()), (0, 0));
    }

    #[test]
    fn per_object_threading_orders_one_object_and_overlaps_others() {
        let mut s = Scheduler::new(Threading::PerObject);
        assert_eq!(names(s.submit("a", 1).unwrap()), [1]);
        assert_eq!(names(s.submit("a", 2).unwrap()), Vec::<u32>::new());
        // Another object passes the waiting call.
        assert_eq!(names(s.submit("b", 3).unwrap()), [3]);
        assert_eq!(names(s.finished("b")), Vec::<u32>::new());
        assert_eq!(names(s.finished("a")), [2]);
    }

    #[test]
    fn per_request_threading_overlaps_calls_to_one_object() {
        let mut s = Scheduler::new(Threading::PerRequest);
        for i in 0..10 {
            assert_eq!(names(s.submit("a", i).unwrap()), [i]);
        }
        assert_eq!(s.running(), 10);
    }

    #[test]
    fn pool_threading_runs_at_most_n_in_arrival_order() {
        let mut s = Scheduler::new(Threading::Pool(2));
        assert_eq!(names(s.submit("a", 1).unwrap()), [1]);
        assert_eq!(names(s.submit("a", 2).unwrap()), [2]);
        assert_eq!(names(s.submit("b", 3).unwrap()), Vec::<u32>::new());
        assert_eq!(names(s.submit("c", 4).unwrap()), Vec::<u32>::new());
        assert_eq!(names(s.finished("a")), [3]);
        assert_eq!(s.remove_queued(|j| *j == 4), Some(4));
        assert_eq!(names(s.finished("a")), Vec::<u32>::new());
    }

    #[test]
    fn on_demand_servants_activate_on_first_call_and_deactivate_when_idle() {
        let t0 = Instant::now();
        let key = ServantKey { object: "o".into(), session: String::new() };
        let mut a = Activations::default();
        assert!(a.begin(&key, t0));
        assert!(!a.begin(&key, t0), "second call finds it active");
        a.end(&key, t0);
        let idle = Duration::from_millis(100);
        // One call still runs: never idle.
        assert!(a.take_idle(t0 + Duration::from_secs(9), idle).is_empty());
        a.end(&key, t0 + Duration::from_millis(10));
        assert!(a.take_idle(t0 + Duration::from_millis(109), idle).is_empty());
        assert_eq!(a.take_idle(t0 + Duration::from_millis(110), idle), std::slice::from_ref(&key));
        assert!(!a.is_active(&key));
        assert!(a.begin(&key, t0), "activated again by the next call");
    }
}
