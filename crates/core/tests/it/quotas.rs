//! Quotas in one runtime: agents per node, children per agent (forks to
//! this same node, through a router that hands them straight back), the
//! instruction-rate throttle, and memory.

use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use itinerant_core::{
    AgentId, Departure, DepartureOutcome, Message, Quotas, Router, Runtime, RuntimeConfig, SendError,
};

const WAIT: Duration = Duration::from_secs(20);

/// Delivers every departure to the runtime it left (a node whose forks
/// stay home), answering as a destination would.
#[derive(Default)]
struct Home(OnceLock<Weak<Runtime>>);

impl Router for Home {
    fn route(&self, to: &AgentId, _msg: Message) -> Result<(), SendError> {
        Err(SendError::NoSuchAgent(to.to_string()))
    }

    fn depart(&self, departure: Departure) -> Result<(), String> {
        let rt = self.0.get().and_then(Weak::upgrade).ok_or("the runtime is gone")?;
        std::thread::spawn(move || {
            let (id, epoch) = (departure.image.id.clone(), departure.image.epoch);
            let arrived = rt.prepare_arrival(departure.kind, departure.image).and_then(|p| {
                let child = p.id().clone();
                rt.admit(p).map(|()| child)
            });
            let outcome = match arrived {
                Ok(child) => DepartureOutcome::Accepted(child),
                Err(why) => DepartureOutcome::Refused(why),
            };
            rt.departure_done(&id, epoch, outcome);
        });
        Ok(())
    }
}

fn runtime(quotas: Quotas) -> Arc<Runtime> {
    let mut config = RuntimeConfig::for_node("alpha");
    config.quotas = quotas;
    let rt = Arc::new(Runtime::new(config));
    let home = Arc::new(Home::default());
    let _ = home.0.set(Arc::downgrade(&rt));
    rt.set_router(home);
    rt
}

#[test]
fn an_agent_has_at_most_its_quota_of_children_alive() {
    let rt = runtime(Quotas { outstanding_forks: 3, ..Quotas::default() });
    let parent = rt
        .spawn(
            "set kids {}
             for {set i 0} {$i < 3} {incr i} {
                 set k [agent_fork alpha]
                 if {$k eq {}} { agent_receive code body; return child }
                 lappend kids $k
             }
             set refused [catch {agent_fork alpha} why]
             # One child ends: its place is free again.
             agent_send [lindex $kids 0] 0 go
             after 300
             set k [agent_fork alpha]
             if {$k eq {}} { return late-child }
             list $refused $why",
            None,
        )
        .unwrap();
    let out = rt.wait(&parent, WAIT).unwrap().result;
    let expected = format!("1 {{fork quota exceeded: agent {parent} has 3 children alive (quota 3)}}");
    assert_eq!(out, Ok(expected));
}

#[test]
fn spawns_past_the_agent_quota_are_refused() {
    let rt = runtime(Quotas { max_agents: 3, ..Quotas::default() });
    for _ in 0..3 {
        rt.spawn("after 5000", None).unwrap();
    }
    let refused = rt.spawn("after 5000", None).unwrap_err();
    assert_eq!(refused, "agent quota exceeded: node alpha holds 3 agents (quota 3)");
}

#[test]
fn a_busy_agent_is_held_to_its_instruction_rate() {
    let rt = runtime(Quotas { instructions_per_second: 1_000_000, ..Quotas::default() });
    let counter = rt
        .spawn(
            "set n 0; set end [expr {[clock milliseconds] + 1000}]
             while {[clock milliseconds] < $end} { incr n }
             set n",
            None,
        )
        .unwrap();
    let n: u64 = rt.wait(&counter, WAIT).unwrap().result.unwrap().parse().unwrap();
    // A full bucket (1M) plus one second at 1M, several instructions per
    // iteration: well under 400,000 iterations (unthrottled: millions).
    assert!(n < 400_000, "{n} iterations");
    let console = rt.console(&counter).unwrap();
    assert!(console.contains("throttled: over its quota of 1000000 instructions per second"), "{console}");
}

#[test]
fn an_agent_past_its_memory_quota_is_stopped_with_the_reason() {
    let rt = runtime(Quotas { memory_bytes: 4 << 20, ..Quotas::default() });
    let bomb = rt.spawn("while 1 { lappend l [incr i] }", None).unwrap();
    let why = rt.wait(&bomb, WAIT).unwrap().result.unwrap_err();
    assert!(why.starts_with("memory quota exceeded: the agent holds"), "{why}");
    assert!(rt.console(&bomb).unwrap().contains("[quota] agent"));
}
