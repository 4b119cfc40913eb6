//! The runtime's side of owners and policy (`owner.rs`): every check an
//! agent's action meets goes through here, with the agent's credential as
//! the registry holds it (never a variable the agent can set), and every
//! refusal is told to the authority (the node logs it).
//!
//! Where the checks are: a spawn or a signed submit (`Entry::Start`), an
//! arrival by jump, fork or move (`Entry::Migrate`) or a child made by
//! `agent_submit` (`Entry::Start`) in `prepare_arrival`; `exec` before the
//! agent goes to the blocking pool; `df register`/`modify` in the `df`
//! command; the mailbox depth on every delivery; the number of agents of
//! one owner on every spawn and arrival.

use std::sync::Arc;

use super::{lock, AgentId, Runtime, Shared, Slot};
use crate::owner::{Authority, Credential, Entry, Grant, Owner};

impl Runtime {
    /// Gives the runtime the node's policy (set once, before agents run;
    /// the authority itself may change its answers at any time).
    pub fn set_authority(&self, authority: Arc<dyn Authority>) {
        let _ = self.shared.authority.set(authority);
    }

    /// The owner of an agent living here (none: unsigned or unknown).
    pub fn owner_of(&self, id: &AgentId) -> Option<Owner> {
        let slots = lock(&self.shared.slots);
        slots.get(id).and_then(|s| s.credential.as_ref()).map(|c| c.owner.clone())
    }
}

impl Shared {
    /// What `owner`'s agents may do here; refused (and told) if the policy
    /// does not admit it.
    pub(super) fn grant(&self, owner: Option<&Owner>) -> Result<Arc<Grant>, String> {
        match self.authority.get() {
            Some(a) => a.grant(owner).inspect_err(|why| a.refused(owner, why)),
            None => Ok(self.open_grant.clone()),
        }
    }

    pub(super) fn refused(&self, owner: Option<&Owner>, why: &str) {
        self.counters.refused(crate::observe::Refusal::Policy);
        match self.authority.get() {
            Some(a) => a.refused(owner, why),
            None => tracing::warn!(node = %self.config.node, "refused: {why}"),
        }
    }

    /// May an agent of `owner` come here (`entry`)? Checks the grant and the
    /// owner's agent quota.
    pub(super) fn admit_owner(&self, owner: Option<&Owner>, entry: Entry) -> Result<(), String> {
        let grant = self.grant(owner)?;
        let verdict = grant.check_entry(entry, &self.config.node).and_then(|()| {
            let Some(max) = grant.quotas.agents else { return Ok(()) };
            let slots = lock(&self.slots);
            let key = owner.map(|o| o.key);
            let here =
                slots.values().filter(|s| s.is_here() && s.credential.as_ref().map(|c| c.owner.key) == key).count();
            match here >= max {
                true => Err(format!("permission denied: owner already has {max} agents on node {}", self.config.node)),
                false => Ok(()),
            }
        });
        verdict.inspect_err(|why| self.refused(owner, why))
    }

    /// An arriving image's credential: its signature must verify, and the
    /// policy admit its owner for `entry`.
    pub(super) fn check_arrival(&self, credential: Option<&Credential>, entry: Entry) -> Result<(), String> {
        if let Some(c) = credential {
            c.verify().inspect_err(|why| self.refused(Some(&c.owner), why))?;
        }
        self.admit_owner(credential.map(|c| &c.owner), entry)
    }

    pub(super) fn credential_of(&self, id: &AgentId) -> Option<Arc<Credential>> {
        lock(&self.slots).get(id).and_then(|s| s.credential.clone())
    }

    /// May agent `id` run `argv`?
    pub(super) fn check_exec(&self, id: &AgentId, argv: &[String]) -> Result<(), String> {
        let credential = self.credential_of(id);
        let owner = credential.as_ref().map(|c| &c.owner);
        self.grant(owner)?.check_exec(argv).inspect_err(|why| self.refused(owner, &format!("{why} (agent {id})")))
    }

    /// May agent `id` register in the directory?
    pub(crate) fn check_register(&self, id: &AgentId) -> Result<(), String> {
        let credential = self.credential_of(id);
        let owner = credential.as_ref().map(|c| &c.owner);
        self.grant(owner)?.check_register().inspect_err(|why| self.refused(owner, &format!("{why} (agent {id})")))
    }

    /// May agent `id` send to another platform (`acl send` abroad)?
    pub(crate) fn check_abroad(&self, id: &AgentId) -> Result<(), String> {
        let credential = self.credential_of(id);
        let owner = credential.as_ref().map(|c| &c.owner);
        self.grant(owner)?.check_abroad().inspect_err(|why| self.refused(owner, &format!("{why} (agent {id})")))
    }

    /// Messages the mailbox of `slot`'s agent may hold (the caller holds
    /// the registry lock; the authority takes none of the runtime's).
    pub(super) fn mailbox_limit(&self, slot: &Slot) -> usize {
        self.quotas_of(slot.credential.as_deref()).mailbox_depth
    }
}
