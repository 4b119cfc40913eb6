//! The two single-threaded server organisations (`adapter::Organisation`):
//! an adapter's calls, as its scheduler starts them, go to one thread of
//! its own.
//!
//! - **Iterative**: the thread runs each call to its end before it takes
//!   the next; a call that waits (`after`, a slow servant) holds it.
//! - **Event-driven**: the thread never waits for a call. Each call in
//!   progress is a small state machine (`Servant::begin` / `proceed`):
//!   the thread runs one slice of one call, then the next call's; a call
//!   that must wait (`after MS`) is parked until then and the others run
//!   meanwhile. A servant still serves one call at a time: a call to a
//!   servant busy with another call waits until that one ends. Rust
//!   servants (no `begin` of their own) run each call to its end.
//!
//! Either thread ends when its adapter is dropped (its channel closes).

use std::collections::{HashSet, VecDeque};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::adapter::{Organisation, ServantKey};
use super::servant::Step;
use super::{lock, Adapter, Job, Objects, Prepared};

/// Longest a parked call waits before its cancel flag is looked at.
const CANCEL_CHECK: Duration = Duration::from_millis(2);
/// How long the thread sleeps with nothing to do before it checks
/// whether its adapter is gone.
const IDLE_WAIT: Duration = Duration::from_secs(1);

/// The sender to adapter `a`'s thread, started by the first call.
pub(super) fn sender(objects: &Arc<Objects>, a: &Arc<Adapter>) -> Result<Sender<Job>, String> {
    let mut engine = lock(&a.engine);
    if let Some(tx) = engine.as_ref() {
        return Ok(tx.clone());
    }
    let (tx, rx) = mpsc::channel();
    let (o, weak_a) = (Arc::downgrade(objects), Arc::downgrade(a));
    let event = a.policy.organisation == Organisation::Event;
    std::thread::Builder::new()
        .name(format!("adapter-{}", a.name))
        .spawn(move || match event {
            true => EventLoop::new(o, weak_a).serve(rx),
            false => iterate(o, weak_a, rx),
        })
        .map_err(|e| format!("cannot start the thread of adapter \"{}\": {e}", a.name))?;
    *engine = Some(tx.clone());
    Ok(tx)
}

fn iterate(objects: Weak<Objects>, adapter: Weak<Adapter>, rx: Receiver<Job>) {
    while let Ok(job) = rx.recv() {
        let (Some(o), Some(a)) = (objects.upgrade(), adapter.upgrade()) else { return };
        o.run(&a, job);
    }
}

/// A call in progress on the event-driven thread.
struct Task {
    job: Job,
    ready: Prepared,
}

struct EventLoop {
    objects: Weak<Objects>,
    adapter: Weak<Adapter>,
    /// Calls started by the scheduler, not yet begun.
    incoming: VecDeque<Job>,
    /// Calls with a slice to run, in turn.
    runnable: VecDeque<Task>,
    /// Calls waiting, until when.
    parked: Vec<(Instant, Task)>,
    /// Servants with a call in progress, and calls waiting for them.
    busy: HashSet<ServantKey>,
    blocked: Vec<Job>,
}

impl EventLoop {
    fn new(objects: Weak<Objects>, adapter: Weak<Adapter>) -> EventLoop {
        EventLoop {
            objects,
            adapter,
            incoming: VecDeque::new(),
            runnable: VecDeque::new(),
            parked: Vec::new(),
            busy: HashSet::new(),
            blocked: Vec::new(),
        }
    }

    fn idle(&self) -> bool {
        self.incoming.is_empty() && self.runnable.is_empty() && self.parked.is_empty()
    }

    fn serve(mut self, rx: Receiver<Job>) {
        loop {
            // Wait only when no call can run: for a new call, or until the
            // first parked one is due.
            if self.incoming.is_empty() && self.runnable.is_empty() {
                let wait = match self.parked.iter().map(|(t, _)| *t).min() {
                    Some(next) => next.saturating_duration_since(Instant::now()).min(CANCEL_CHECK),
                    None => IDLE_WAIT,
                };
                match rx.recv_timeout(wait) {
                    Ok(job) => self.incoming.push_back(job),
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) if self.idle() => return,
                    Err(RecvTimeoutError::Disconnected) => {}
                }
            }
            self.incoming.extend(rx.try_iter());
            let (Some(o), Some(a)) = (self.objects.upgrade(), self.adapter.upgrade()) else { return };
            while let Some(job) = self.incoming.pop_front() {
                self.begin(&o, &a, job);
            }
            if !self.parked.is_empty() {
                let now = Instant::now();
                let mut i = 0;
                while i < self.parked.len() {
                    let (until, task) = &self.parked[i];
                    if *until <= now || task.job.ctl.check().is_err() {
                        self.runnable.push_back(self.parked.swap_remove(i).1);
                    } else {
                        i += 1;
                    }
                }
            }
            // A few slices of the runnable calls, in turn, before looking
            // for new calls again.
            for _ in 0..self.runnable.len().min(16) {
                let Some(mut task) = self.runnable.pop_front() else { break };
                let step = task.ready.servant.with(|s| s.proceed(&task.job.ctl));
                self.settle(&o, &a, task, step);
            }
        }
    }

    fn begin(&mut self, o: &Arc<Objects>, a: &Arc<Adapter>, job: Job) {
        let key = a.policy.servant_key(&job.object, &job.session);
        if key.as_ref().is_some_and(|k| self.busy.contains(k)) {
            self.blocked.push(job);
            return;
        }
        match o.prepare(a, &job) {
            Ok(mut ready) => {
                self.busy.extend(key);
                let step = ready.servant.with(|s| s.begin(&job.method, &job.args, &job.ctl));
                self.settle(o, a, Task { job, ready }, step);
            }
            Err(refused) => o.answer_job(a, job, refused),
        }
    }

    fn settle(&mut self, o: &Arc<Objects>, a: &Arc<Adapter>, task: Task, step: Step) {
        match step {
            Step::Yield => self.runnable.push_back(task),
            Step::Sleep(until) => self.parked.push((until, task)),
            Step::Done(result) => {
                if let Some(key) = &task.ready.key {
                    self.busy.remove(key);
                    // The calls that waited for this servant, in order.
                    let (freed, still): (Vec<Job>, Vec<Job>) = self
                        .blocked
                        .drain(..)
                        .partition(|j| a.policy.servant_key(&j.object, &j.session).as_ref() == Some(key));
                    self.blocked = still;
                    self.incoming.extend(freed);
                }
                let Task { job, ready } = task;
                let ended = o.conclude(a, ready, result);
                o.answer_job(a, job, ended);
            }
        }
    }
}
