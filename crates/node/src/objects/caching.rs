//! The object server's side of client caching, at the edge: what the pure
//! `tracking.rs` decides is done here — leases handed out with the
//! answers of read-only methods, invalidations sent to the holders of a
//! mutated object, a strict mutation's answer held until they are
//! acknowledged or their leases ran out — and the node's own cache for
//! its agents' `object call` (`cache.rs`).
//!
//! Ordering: a read's lease is granted and its answer queued under the
//! tracker's lock, and a mutation's invalidations are queued after it
//! took that lock, on the same ordered stream (call channel or link), so
//! a holder always sees the answer before the invalidation that voids it
//! (and applies both in that order: `client.rs`, `Objects::on_frame`).

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use super::cache::{Key, Lookup};
use super::proto::{Call, CallOutcome, ObjectWire};
use super::reference::ObjectRef;
use super::tracking::Tracker;
use super::{lock, Adapter, Answer, Holder, LeaseSink, Objects};

/// What `track` needs of a call that ended.
pub(super) struct Read {
    pub read_only: bool,
    pub ok: bool,
    pub version: u64,
    pub lease: Option<super::LeaseRequest>,
}

impl Objects {
    /// A call to an object of a `caching=…` adapter ended: a read is
    /// granted its lease (if its caller keeps copies) and answered; a
    /// mutation invalidates the copies and is answered now (relaxed, or
    /// nobody to wait for) or when the holders acknowledged or their
    /// leases ran out (strict).
    pub(super) fn track(
        self: &Arc<Self>,
        a: &Adapter,
        tracker: &Mutex<Tracker<Holder>>,
        object: &str,
        read: Read,
        deliver: Box<dyn FnOnce() + Send>,
    ) {
        let now = Instant::now();
        if read.read_only {
            let mut t = lock(tracker);
            if let (true, Some(req)) = (read.ok, read.lease) {
                if let Some(d) = t.grant(object, req.holder, read.version, now) {
                    *lock(&req.sink) = Some((d, self.epoch));
                }
            }
            // Queued under the lock: before any later invalidation.
            deliver();
            return;
        }
        let recall = lock(tracker).mutate(object, now);
        let reference = format!("itin://{}/{}/{object}", self.node, a.name);
        // Started and its answer parked under the recalls' lock, so that
        // no acknowledgement can come between.
        let mut recalls = lock(&self.recalls);
        let (Some(seq), Some(deadline)) = (recalls.start(&recall), recall.wait_until) else {
            drop(recalls);
            for h in &recall.holders {
                self.send_invalidation(h, 0, &reference);
            }
            return deliver();
        };
        lock(&self.deferred).insert(seq, deliver);
        drop(recalls);
        for h in &recall.holders {
            self.send_invalidation(h, seq, &reference);
        }
        let me = Arc::downgrade(self);
        self.handle.spawn(async move {
            let at = tokio::time::Instant::from_std(deadline) + Duration::from_millis(1);
            tokio::time::sleep_until(at).await;
            if let Some(me) = me.upgrade() {
                me.expire_recalls();
            }
        });
    }

    /// Tells `holder` its copies of `reference` are invalid (`seq` 0: no
    /// acknowledgement awaited). A holder that cannot be reached is left
    /// to its lease.
    fn send_invalidation(&self, holder: &Holder, seq: u64, reference: &str) {
        let w = ObjectWire::Invalidate { seq, object: reference.to_owned() };
        match holder {
            Holder::Channel(token) => {
                self.to_channel(*token, w);
            }
            Holder::Node(node) if *node == self.node => {
                lock(&self.agent_cache).invalidate(reference);
                self.invalidation_acked(seq, holder);
            }
            Holder::Node(node) => {
                if let Err(why) = self.send(node, &w) {
                    tracing::debug!(node = %self.node, "invalidation for {node} not sent: {why}");
                }
            }
        }
    }

    /// `holder` acknowledged invalidation `seq`: the mutation waiting for
    /// it is answered if it was the last.
    pub(super) fn invalidation_acked(&self, seq: u64, holder: &Holder) {
        if seq == 0 {
            return;
        }
        let done = lock(&self.recalls).ack(seq, holder, Instant::now());
        if done {
            let deliver = lock(&self.deferred).remove(&seq);
            if let Some(deliver) = deliver {
                deliver();
            }
        }
    }

    /// Answers the mutations whose holders' leases ran out.
    fn expire_recalls(&self) {
        let done = lock(&self.recalls).expire(Instant::now());
        for seq in done {
            let deliver = lock(&self.deferred).remove(&seq);
            if let Some(deliver) = deliver {
                deliver();
            }
        }
    }

    /// An agent's call through the node's cache: a copy if one is good,
    /// else the call (a leased result is kept, put in the cache by the
    /// answer itself, so before any invalidation that follows it).
    /// Moves are followed without caching.
    pub async fn call_cached(self: &Arc<Self>, call: Call) -> CallOutcome {
        let target = match ObjectRef::parse(&call.target) {
            Ok(t) => t,
            Err(why) => return CallOutcome::Err(why),
        };
        let key: Key = (call.target.clone(), call.method.clone(), call.args.clone());
        let sent = Instant::now();
        if let Lookup::Hit(v) = lock(&self.agent_cache).get(&key, sent) {
            return CallOutcome::Ok(v);
        }
        let sink = LeaseSink::default();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (me, keep, server) = (Arc::downgrade(self), sink.clone(), target.node.clone());
        let reply: Answer = Box::new(move |outcome, _| {
            let lease = lock(&keep).take();
            if let (CallOutcome::Ok(v), Some((d, epoch)), Some(me)) = (&outcome, lease, Weak::upgrade(&me)) {
                lock(&me.agent_cache).put(key, &server, v.clone(), epoch, sent + d, Instant::now());
            }
            let _ = tx.send(outcome);
        });
        let number = self.next_call.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if target.node == self.node {
            self.invoke_leased(call.clone(), Holder::Node(self.node.clone()), sink, reply);
        } else {
            self.call_remote(number, &target.node, call.clone(), reply, Some(sink));
        }
        match rx.await.unwrap_or_else(|_| CallOutcome::Err("call dropped".into())) {
            CallOutcome::Moved(to) => self.call(Call { target: to, ..call }, true).await,
            other => other,
        }
    }

    /// The node's cache for its agents (`itin cache NODE`).
    pub fn agent_cache_stats(&self) -> super::cache::CacheStats {
        lock(&self.agent_cache).stats()
    }

    /// This process's epoch (boot id).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
}
