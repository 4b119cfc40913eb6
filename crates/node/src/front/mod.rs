//! The front tier: a node fronting a replicated service (an adapter
//! served by several back-end nodes) dispatches calls to the back ends by
//! a policy and keeps only those that answer (`docs/OBJECTS.md`, "Front
//! tier"). The decisions are pure (`policy.rs`, `backends.rs`); the file
//! is `config.rs`.

pub mod backends;
pub mod config;
pub mod policy;
pub mod proto;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use backends::{BackendRow, Backends};
use config::{FrontConfig, FrontService, Mode};

/// A fronted service as `itin front` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontRow {
    pub adapter: String,
    pub mode: String,
    pub policy: String,
    pub backends: Vec<BackendRow>,
}

/// What the front counts (the handoff test reads them: in handoff mode
/// no reply passes through the front).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrontCounters {
    /// Calls relayed to a back end, and bytes of their replies that came
    /// back through the front.
    pub relayed: u64,
    pub relayed_reply_bytes: u64,
    /// Clients handed to a back end.
    pub handoffs: u64,
}

struct Service {
    config: FrontService,
    backends: Mutex<Backends>,
}

/// The node's fronted services (the edge around `Backends`: locks and
/// counters; the objects server does the calls and probes).
pub struct Front {
    services: BTreeMap<String, Service>,
    next_ticket: Mutex<u64>,
    relayed: AtomicU64,
    relayed_reply_bytes: AtomicU64,
    handoffs: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Front {
    pub fn new(config: &FrontConfig) -> Result<Front, String> {
        config.check()?;
        let services = config
            .service
            .iter()
            .map(|s| {
                let backends = Backends::new(&s.backends, s.policy, s.probe_period(), s.probe_timeout());
                (s.adapter.clone(), Service { config: s.clone(), backends: Mutex::new(backends) })
            })
            .collect();
        Ok(Front {
            services,
            next_ticket: Mutex::new(0),
            relayed: AtomicU64::new(0),
            relayed_reply_bytes: AtomicU64::new(0),
            handoffs: AtomicU64::new(0),
        })
    }

    /// How this node fronts `adapter`, if it does.
    pub fn mode_of(&self, adapter: &str) -> Option<Mode> {
        self.services.get(adapter).map(|s| s.config.mode)
    }

    /// The back end for a call (see `Backends::choose`), counted.
    pub fn choose(&self, adapter: &str, object: &str, session: &str, exclude: &[String]) -> Option<String> {
        let s = self.services.get(adapter)?;
        let relay = s.config.mode == Mode::Relay;
        let chosen = lock(&s.backends).choose(object, session, exclude, relay);
        if chosen.is_some() {
            match relay {
                true => self.relayed.fetch_add(1, Ordering::Relaxed),
                false => self.handoffs.fetch_add(1, Ordering::Relaxed),
            };
        }
        chosen
    }

    /// A relayed call ended (see `Backends::finished`); `reply_bytes`:
    /// the size of what came back through the front.
    pub fn finished(&self, adapter: &str, backend: &str, unavailable: Option<&str>, reply_bytes: u64) {
        if let Some(s) = self.services.get(adapter) {
            lock(&s.backends).finished(backend, unavailable);
        }
        self.relayed_reply_bytes.fetch_add(reply_bytes, Ordering::Relaxed);
    }

    /// A back end could not be handed a client (no address known).
    pub fn unreachable(&self, adapter: &str, backend: &str, why: &str) {
        if let Some(s) = self.services.get(adapter) {
            lock(&s.backends).take_out(backend, why);
        }
    }

    /// Probes to send now, (back end, ticket), all services.
    pub fn probes_due(&self, now: Instant) -> Vec<(String, u64)> {
        let mut ticket = lock(&self.next_ticket);
        self.services.values().flat_map(|s| lock(&s.backends).probes_due(now, &mut ticket)).collect()
    }

    /// A probe answer from `backend`.
    pub fn probe_answered(&self, backend: &str, ticket: u64, load: u64) {
        for s in self.services.values() {
            lock(&s.backends).probe_answered(backend, ticket, load);
        }
    }

    /// Back ends whose probes timed out now (taken out).
    pub fn expire(&self, now: Instant) -> Vec<String> {
        self.services.values().flat_map(|s| lock(&s.backends).expire(now)).collect()
    }

    pub fn rows(&self) -> Vec<FrontRow> {
        self.services
            .values()
            .map(|s| FrontRow {
                adapter: s.config.adapter.clone(),
                mode: s.config.mode.name().into(),
                policy: s.config.policy.name().into(),
                backends: lock(&s.backends).rows(),
            })
            .collect()
    }

    pub fn counters(&self) -> FrontCounters {
        FrontCounters {
            relayed: self.relayed.load(Ordering::Relaxed),
            relayed_reply_bytes: self.relayed_reply_bytes.load(Ordering::Relaxed),
            handoffs: self.handoffs.load(Ordering::Relaxed),
        }
    }
}

/// Serves a client's request about fronts and caches (tags 50–59).
pub fn handle(objects: &crate::objects::Objects, req: proto::FrontRequest) -> proto::FrontReply {
    match req {
        proto::FrontRequest::Status => match objects.front() {
            Some(f) => proto::FrontReply::Status { services: f.rows(), counters: f.counters() },
            None => proto::FrontReply::Status { services: Vec::new(), counters: FrontCounters::default() },
        },
        proto::FrontRequest::Cache => proto::FrontReply::Cache(objects.agent_cache_stats()),
    }
}
