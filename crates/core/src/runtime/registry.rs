//! The registry of agents: their slots by id, and an index by name so that
//! `agent_send NAME` and `Runtime::lookup` cost one hash look-up, not a walk
//! over every slot (a node holds up to millions).

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

use super::{AgentId, Slot};

type ById = HashMap<AgentId, Box<Slot>, ahash::RandomState>;

/// Slots are boxed: a table with a million entries has two million
/// buckets, so entries stay small. Hashed with ahash (every message and
/// every scheduling step looks an agent up). Reads go through `Deref`;
/// adding and removing slots goes through [`Slots::insert`],
/// [`Slots::insert_if_absent`], [`Slots::remove`] and [`Slots::retain`],
/// which keep the name index (names are given when a slot is made and
/// never change); never through the map's own `entry`/`retain`.
#[derive(Default)]
pub(crate) struct Slots {
    by_id: ById,
    /// Name -> the slots bearing it (several: an agent that moved away
    /// keeps its slot as a forwarding pointer, and names are not unique).
    by_name: HashMap<Box<str>, Vec<AgentId>, ahash::RandomState>,
}

impl Deref for Slots {
    type Target = ById;
    fn deref(&self) -> &ById {
        &self.by_id
    }
}

impl DerefMut for Slots {
    fn deref_mut(&mut self) -> &mut ById {
        &mut self.by_id
    }
}

impl Slots {
    pub(crate) fn insert(&mut self, id: AgentId, slot: Box<Slot>) {
        if let Some(old) = self.by_id.get(&id) {
            let old_name = old.name.clone();
            self.unindex(&id, old_name.as_deref());
        }
        self.index(&id, slot.name.as_deref());
        self.by_id.insert(id, slot);
    }

    /// The slot of `id`, made by `make` if there is none.
    pub(crate) fn insert_if_absent(&mut self, id: &AgentId, make: impl FnOnce() -> Box<Slot>) -> &mut Slot {
        if !self.by_id.contains_key(id) {
            let slot = make();
            self.index(id, slot.name.as_deref());
            self.by_id.insert(id.clone(), slot);
        }
        self.by_id.get_mut(id).expect("inserted above")
    }

    pub(crate) fn remove(&mut self, id: &AgentId) -> Option<Box<Slot>> {
        let slot = self.by_id.remove(id)?;
        self.unindex(id, slot.name.as_deref());
        Some(slot)
    }

    /// Keeps only the slots for which `keep` holds.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&AgentId, &Slot) -> bool) {
        let gone: Vec<AgentId> = self.by_id.iter().filter(|(id, s)| !keep(id, s)).map(|(id, _)| id.clone()).collect();
        for id in gone {
            self.remove(&id);
        }
    }

    /// The agent living here under `name` (the oldest, if several do).
    pub(crate) fn named(&self, name: &str) -> Option<&AgentId> {
        let ids = self.by_name.get(name)?;
        ids.iter().find(|id| self.by_id.get(*id).is_some_and(|s| s.is_here()))
    }

    fn index(&mut self, id: &AgentId, name: Option<&str>) {
        if let Some(name) = name {
            self.by_name.entry(name.into()).or_default().push(id.clone());
        }
    }

    fn unindex(&mut self, id: &AgentId, name: Option<&str>) {
        let Some(name) = name else { return };
        if let Some(ids) = self.by_name.get_mut(name) {
            ids.retain(|i| i != id);
            if ids.is_empty() {
                self.by_name.remove(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::AgentState;

    fn slot(name: Option<&str>, state: AgentState) -> Box<Slot> {
        Box::new(Slot::new(name.map(str::to_owned), state))
    }

    #[test]
    fn names_find_the_agent_living_here_and_follow_removal() {
        let (a, b) = (AgentId::parse("1@n").unwrap(), AgentId::parse("2@n").unwrap());
        let mut slots = Slots::default();
        slots.insert(a.clone(), slot(Some("rx"), AgentState::Moved));
        assert_eq!(slots.named("rx"), None, "a forwarding pointer is not an agent living here");
        slots.insert(b.clone(), slot(Some("rx"), AgentState::Active));
        assert_eq!(slots.named("rx"), Some(&b));
        // Back here: the slot is replaced, the name indexed once.
        slots.insert(a.clone(), slot(Some("rx"), AgentState::Active));
        assert_eq!(slots.by_name["rx"].len(), 2);
        assert_eq!(slots.named("rx"), Some(&b));
        slots.remove(&b);
        assert_eq!(slots.named("rx"), Some(&a));
        slots.remove(&a);
        assert!(slots.by_name.is_empty());
        assert_eq!(slots.named("nobody"), None);
    }
}
#[cfg(all(test, target_pointer_width = "64"))]
mod sizes {
    /// An idle agent is its slot plus its parked interpreter: a million of
    /// them must fit under 4 KiB each (docs/BENCHMARKS.md). Rarely used
    /// state goes behind a box rather than growing every slot.
    #[test]
    fn an_agent_slot_stays_small() {
        let slot = std::mem::size_of::<crate::runtime::Slot>();
        let agent = std::mem::size_of::<crate::runtime::Agent>();
        assert!(slot <= 600, "Slot grew to {slot} bytes");
        assert!(agent <= 448, "Agent grew to {agent} bytes");
    }
}
