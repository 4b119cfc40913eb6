//! The runtime's threads: workers running agents for a budget, the
//! blocking pool (programs, resource operations), the timer thread (timed
//! waits, deferred checkpoints, forgetting old outcomes, gap timers), and
//! the console sink of every agent's `puts`.

use std::cmp::Reverse;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use itinerant_tcl::interp::Output;

use super::*;

/// Requests served inline before an agent must give its worker back.
const MAX_REQUESTS_PER_SLICE: usize = 64;

/// How long a worker that found the run queue empty watches it before it
/// sleeps: waking a sleeping thread costs the waker a system call and the
/// woken, on a virtual machine, tens of microseconds, which a message
/// ping-pong pays on every message (Erlang's schedulers busy-wait too).
const WATCH_BEFORE_SLEEP: Duration = Duration::from_micros(40);

pub(super) fn worker_loop(s: &Arc<Shared>) {
    loop {
        let agent = {
            let mut q = lock(&s.queue);
            if q.is_empty() {
                drop(q);
                let until = Instant::now() + WATCH_BEFORE_SLEEP;
                // Yielding, not spinning: a thread that has work (the
                // node's network, another node's workers) runs first.
                while !s.maybe_queued.load(Ordering::Relaxed) && Instant::now() < until {
                    std::thread::yield_now();
                }
                q = lock(&s.queue);
            }
            loop {
                if s.shutdown.load(Ordering::SeqCst) {
                    return;
                }
                if let Some(a) = q.pop_front() {
                    s.maybe_queued.store(!q.is_empty(), Ordering::Relaxed);
                    break a;
                }
                s.idle_workers.fetch_add(1, Ordering::Relaxed);
                q = s
                    .queue_cv
                    .wait_timeout(q, Duration::from_millis(100))
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0);
                s.idle_workers.fetch_sub(1, Ordering::Relaxed);
                // Woken by a notify or by the timeout: either way one less
                // to wait for (too few pending only costs an extra notify).
                let pending = s.wakes_pending.load(Ordering::Relaxed);
                s.wakes_pending.store(pending.saturating_sub(1), Ordering::Relaxed);
            }
        };
        let agent = match agent {
            Runnable::Agent(a) => a,
            Runnable::Birth(b) => b.into_agent(s),
            Runnable::Departing(d) => {
                let (agent, request) = *d;
                match s.depart_within_rate(agent, request) {
                    Some(a) => a,
                    None => continue,
                }
            }
        };
        run_slice(s, agent, Place::Worker);
    }
}

/// Where a slice runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// On a worker, for the runtime's budget.
    Worker,
    /// On the network thread that received the agent
    /// (`Runtime::admit_and_run`): a quarter of the budget, and nothing
    /// that blocks.
    Arrival,
}

/// Runs one agent for a budget slice, serving its requests.
pub(super) fn run_slice(s: &Arc<Shared>, agent: Box<Agent>, place: Place) {
    // Suspended or killed while waiting in the queue: do not run it.
    let Some(mut agent) = s.check_before_run(agent) else { return };
    agent.dirty = true;
    let budget = match place {
        Place::Worker => s.config.budget,
        Place::Arrival => (s.config.budget / 4).max(1),
    };
    for _ in 0..MAX_REQUESTS_PER_SLICE {
        match agent.interp.run(budget) {
            Outcome::OutOfBudget => return s.requeue_or_throttle(agent),
            Outcome::Finished(r) => {
                agent.interp.flush_output();
                s.finish(&agent.id, Ok(r));
                return;
            }
            Outcome::Exit(_) => {
                s.finish(&agent.id, Ok(String::new()));
                return;
            }
            Outcome::Error(e) => {
                if e.error_code.starts_with("TCL MEMORY QUOTA") {
                    s.report_stopped(&agent.id, &e.message);
                }
                s.finish(&agent.id, Err(e.error_info));
                return;
            }
            Outcome::Request(req) => match WaitRequest::parse(req, None) {
                Ok(w @ WaitRequest::Depart { .. }) if place == Place::Arrival && s.departure_may_block(&agent.id) => {
                    s.push_runnable(Runnable::Departing(Box::new((agent, w))));
                    return;
                }
                Ok(w @ WaitRequest::Depart { .. }) => match s.depart_within_rate(agent, w) {
                    Some(a) => agent = a,
                    None => return,
                },
                Ok(w) => match s.wait(agent, w) {
                    Some(a) => agent = a,
                    None => return,
                },
                Err(why) => {
                    let _ = agent.interp.resume(Err(why));
                }
            },
        }
    }
    s.requeue_or_throttle(agent);
}

/// Work an agent waits for on the blocking pool.
pub(super) enum BlockingJob {
    Exec(Vec<String>),
    /// The node holding the resource, then the operation.
    Resource(Vec<String>),
}

/// A blocking-pool thread: runs agents' programs and resource operations, then makes each agent
/// runnable with the result. When the runtime stops mid-call, the program
/// is killed and the agent goes back unanswered (its checkpoint keeps the
/// request, which runs again when the agent is resumed).
pub(super) fn blocking_loop(s: &Arc<Shared>) {
    loop {
        let (mut agent, job) = {
            let mut jobs = lock(&s.blocking);
            loop {
                if s.shutdown.load(Ordering::SeqCst) {
                    // Unstarted jobs go back as they are, for the checkpoint.
                    let mut queue = lock(&s.queue);
                    queue.extend(jobs.drain(..).map(|(agent, _)| Runnable::Agent(agent)));
                    return;
                }
                if let Some(job) = jobs.pop_front() {
                    break job;
                }
                jobs = s
                    .blocking_cv
                    .wait_timeout(jobs, Duration::from_millis(100))
                    .map(|(g, _)| g)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
        };
        let done = match job {
            BlockingJob::Exec(args) => crate::blocking::run_program(&args, s.config.exec_timeout, &s.shutdown),
            BlockingJob::Resource(args) => match args.split_first() {
                Some((node, op)) => Ok(s.resource_op(node, op)),
                None => Ok(Err("empty resource operation".into())),
            },
        };
        match done {
            Ok(result) => {
                let _ = agent.interp.resume(result);
                agent.dirty = true;
                s.requeue(agent);
            }
            Err(crate::blocking::Interrupted::Stopping) => lock(&s.queue).push_back(Runnable::Agent(agent)),
        }
    }
}

pub(super) fn timer_loop(s: &Arc<Shared>) {
    while !s.shutdown.load(Ordering::SeqCst) {
        if let Some((id, generation)) = next_due_timer(s) {
            s.fire(&id, generation);
        }
        s.checkpoint_deferred();
        s.expire_gaps();
        s.forget_old_outcomes();
        s.send_departures();
    }
}

/// The next timer that is due, after waiting at most ~100 ms for one.
fn next_due_timer(s: &Shared) -> Option<(AgentId, u64)> {
    let mut timers = lock(&s.timers);
    let now = Instant::now();
    let wait = match timers.peek() {
        Some(Reverse((at, _, _))) if *at <= now => {
            let Reverse((_, generation, id)) = timers.pop()?;
            return Some((id, generation));
        }
        Some(Reverse((at, _, _))) => (*at - now).min(Duration::from_millis(100)),
        None => Duration::from_millis(100),
    };
    drop(s.timer_cv.wait_timeout(timers, wait).unwrap_or_else(|e| e.into_inner()));
    None
}

/// An agent's `puts` goes to its console in the registry.
pub(crate) struct Console {
    shared: Weak<Shared>,
    id: AgentId,
}

impl Console {
    pub(crate) fn new(shared: &Arc<Shared>, id: &AgentId) -> Console {
        Console { shared: Arc::downgrade(shared), id: id.clone() }
    }
}

impl Output for Console {
    fn write(&mut self, _channel: &str, text: &str) -> Result<(), String> {
        if let Some(s) = self.shared.upgrade() {
            s.write_console(&self.id, text);
        }
        Ok(())
    }
}
