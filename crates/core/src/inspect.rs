//! Looking into a runtime from outside (the node's control port, the CLI):
//! agent summaries, consoles read by absolute offset, directory search.
//! Everything here copies what it reports out of the registry under the
//! lock and returns plain data.

use std::time::Duration;

use crate::df::{Description, Query};
use crate::runtime::{lock, AgentId, AgentOutcome, AgentState, Runtime, Slot};

/// What `itin agents` shows of one agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentSummary {
    pub id: AgentId,
    pub name: Option<String>,
    /// tcl or wasm (`Program::language`); empty when not known here.
    pub language: &'static str,
    pub state: AgentState,
    /// Messages waiting in its mailbox.
    pub mailbox_len: usize,
    /// Time since it was created.
    pub age: Duration,
    /// Absolute length of its console (bytes ever written).
    pub console_len: u64,
}

/// One agent in detail: its summary and, once it ended, how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentDetail {
    pub summary: AgentSummary,
    pub outcome: Option<AgentOutcome>,
}

/// Console text from an absolute offset on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleChunk {
    pub text: String,
    /// The offset to ask for next.
    pub next: u64,
    /// Bytes between the asked offset and `text` that were already dropped
    /// (the console keeps only its newest bytes).
    pub missed: u64,
    pub state: AgentState,
    /// Set once the agent ended; read under the same lock as the text, so
    /// a reader that sees it has seen the whole console.
    pub outcome: Option<AgentOutcome>,
}

fn summary(id: &AgentId, slot: &Slot) -> AgentSummary {
    AgentSummary {
        id: id.clone(),
        name: slot.name.clone(),
        language: slot.language,
        state: slot.state,
        mailbox_len: slot.mailbox.len(),
        age: slot.started.elapsed(),
        console_len: slot.console_dropped + slot.console.len() as u64,
    }
}

/// Sort key of an id: its number, then its node.
pub(crate) fn id_order(id: &AgentId) -> (u64, String) {
    let (n, node) = id.as_str().split_once('@').unwrap_or(("", ""));
    (n.parse().unwrap_or(u64::MAX), node.to_owned())
}

impl Runtime {
    /// Every agent the registry holds (ended ones too, until `reap`), by id.
    pub fn agents(&self) -> Vec<AgentSummary> {
        let slots = lock(&self.shared.slots);
        let mut all: Vec<AgentSummary> = slots.iter().map(|(id, s)| summary(id, s)).collect();
        all.sort_by_key(|a| id_order(&a.id));
        all
    }

    /// One agent's summary and outcome.
    pub fn agent_detail(&self, id: &AgentId) -> Option<AgentDetail> {
        let slots = lock(&self.shared.slots);
        let slot = slots.get(id)?;
        Some(AgentDetail { summary: summary(id, slot), outcome: slot.outcome.clone() })
    }

    /// Console text from absolute byte `offset` on, at most `max_bytes` of
    /// it (cut at a character boundary; at least one character when any is
    /// there, so a reader always progresses).
    pub fn console_since(&self, id: &AgentId, offset: u64, max_bytes: usize) -> Option<ConsoleChunk> {
        let slots = lock(&self.shared.slots);
        let slot = slots.get(id)?;
        let console = &slot.console;
        let end = slot.console_dropped + console.len() as u64;
        let from = offset.clamp(slot.console_dropped, end);
        let missed = from - offset.min(from);
        let mut start = (from - slot.console_dropped) as usize;
        while !console.is_char_boundary(start) {
            start += 1;
        }
        let mut stop = start.saturating_add(max_bytes).min(console.len());
        while !console.is_char_boundary(stop) {
            stop += 1;
        }
        Some(ConsoleChunk {
            text: console[start..stop].to_owned(),
            next: slot.console_dropped + stop as u64,
            missed,
            state: slot.state,
            outcome: if stop == console.len() { slot.outcome.clone() } else { None },
        })
    }

    /// The directory entries (of this node's agents and those replicated
    /// from peers) that match `query`, as `df search` finds them.
    pub fn df_search(&self, query: &Query) -> Vec<(AgentId, Description)> {
        lock(&self.shared.directory).search(query)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::RuntimeConfig;

    fn runtime(console_limit: usize) -> Runtime {
        let mut c = RuntimeConfig::for_node("t");
        c.workers = 1;
        c.console_limit = console_limit;
        Runtime::new(c)
    }

    #[test]
    fn console_offsets_stay_absolute_when_old_text_is_dropped() {
        let rt = runtime(10);
        let id = rt.spawn("for {set i 0} {$i < 5} {incr i} { puts -nonewline abcd }", Some("w")).unwrap();
        assert!(rt.wait(&id, Duration::from_secs(10)).is_some());
        // 20 bytes written, the last 10 kept.
        let all = rt.console_since(&id, 0, 1000).unwrap();
        assert_eq!((all.text.as_str(), all.next, all.missed), ("cdabcdabcd", 20, 10));
        assert_eq!(all.outcome.map(|o| o.result), Some(Ok(String::new())));
        let tail = rt.console_since(&id, 16, 1000).unwrap();
        assert_eq!((tail.text.as_str(), tail.next, tail.missed), ("abcd", 20, 0));
        let part = rt.console_since(&id, 12, 3).unwrap();
        assert_eq!((part.text.as_str(), part.next), ("abc", 15));
        assert!(part.outcome.is_none(), "the outcome comes with the end of the console");
        let beyond = rt.console_since(&id, 99, 1000).unwrap();
        assert_eq!((beyond.text.as_str(), beyond.next), ("", 20));
        assert!(rt.console_since(&AgentId::parse("9@t").unwrap(), 0, 10).is_none());
    }

    #[test]
    fn agents_are_listed_by_number_with_their_mailboxes() {
        let rt = runtime(1000);
        let ids: Vec<AgentId> = (0..11).map(|i| rt.spawn("after 60000", Some(&format!("a{i}"))).unwrap()).collect();
        rt.send_text(&ids[10], None, 0, "x").unwrap();
        rt.send_text(&ids[10], None, 0, "y").unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let all = rt.agents();
            let listed: Vec<&AgentId> = all.iter().map(|a| &a.id).collect();
            assert_eq!(listed, ids.iter().collect::<Vec<_>>(), "10 comes after 9");
            if all.iter().all(|a| a.state == AgentState::Waiting) {
                assert_eq!((all[10].mailbox_len, all[10].name.as_deref()), (2, Some("a10")));
                break;
            }
            assert!(Instant::now() < deadline, "states: {all:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
        rt.kill(&ids[3]).unwrap();
        let detail = rt.agent_detail(&ids[3]).unwrap();
        assert_eq!(detail.summary.state, AgentState::Deleted);
        assert_eq!(detail.outcome.map(|o| o.result), Some(Err("killed".into())));
    }

    #[test]
    fn spawn_with_sets_globals_and_keeps_the_agent_array() {
        let rt = runtime(1000);
        let vars = vec![("x".to_owned(), "1 2".to_owned()), ("cfg(k)".to_owned(), "v".to_owned())];
        let id = rt.spawn_with("list $x $cfg(k) $agent(local)", None, &vars).unwrap();
        let out = rt.wait(&id, Duration::from_secs(10)).unwrap();
        assert_eq!(out.result, Ok(format!("{{1 2}} v {id}")));
        let bad = vec![("agent(local)".to_owned(), "9@x".to_owned())];
        assert!(rt.spawn_with("", None, &bad).unwrap_err().contains("reserved"));
    }
}
