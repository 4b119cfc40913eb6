//! Agents whose programs are not Agent Tcl (`program.rs`): the factory the
//! node gives, spawning from code, restoring a snapshot by its language.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{lock, Agent, AgentId, Runtime, Shared};
use crate::program::{Program, ProgramFactory};

impl Runtime {
    /// Starts a program of another language (`ProgramFactory::create`),
    /// signed by its owner (`credential`) or not; returns its id.
    pub fn spawn_code(
        &self,
        code: &[u8],
        name: Option<&str>,
        vars: &[(String, String)],
        credential: Option<crate::owner::Credential>,
    ) -> Result<AgentId, String> {
        let s = &self.shared;
        let credential = match credential {
            Some(c) => {
                if let Err(why) = c.verify() {
                    s.refused(Some(&c.owner), &why);
                    return Err(why);
                }
                s.admit_owner(Some(&c.owner), crate::owner::Entry::Start)?;
                Some(Arc::new(c))
            }
            None => {
                s.admit_owner(None, crate::owner::Entry::Start)?;
                None
            }
        };
        let factory = s.program_factory.get().ok_or("this node runs no WebAssembly agents")?;
        let program = factory.create(code)?;
        s.refuse_if_draining()?;
        s.refuse_if_full()?;
        let n = s.next_id.fetch_add(1, Ordering::Relaxed);
        s.reserve_id(n);
        let id = AgentId(Arc::from(format!("{n}@{}", s.config.node)));
        self.spawn_program(program, &id, name, vars, credential)
    }

    /// Registers and queues a new agent running `interp` (not yet attached).
    pub(super) fn spawn_program(
        &self,
        mut interp: Box<dyn Program>,
        id: &AgentId,
        name: Option<&str>,
        vars: &[(String, String)],
        credential: Option<Arc<crate::owner::Credential>>,
    ) -> Result<AgentId, String> {
        let s = &self.shared;
        let id = id.clone();
        s.attach(&mut *interp, &id, credential.as_deref());
        let owner = credential.as_ref().map(|c| c.owner.name.as_str()).unwrap_or("");
        for (k, v) in [
            ("local", id.as_str()),
            ("name", name.unwrap_or("")),
            ("node", s.config.node.as_str()),
            ("home", id.home()),
            ("root", id.as_str()),
            ("owner", owner),
        ] {
            interp.set_agent_field(k, v)?;
        }
        for (k, v) in vars {
            interp.set_program_var(k, v)?;
        }
        let mut agent = Agent::new(id.clone(), interp);
        {
            let mut slots = lock(&s.slots);
            let language = agent.interp.language();
            let slot = slots.insert_if_absent(&id, || Box::new(s.born(name, language)));
            slot.credential = credential;
            s.checkpoint(&mut agent, slot, None);
        }
        s.agent_here(&id, 0);
        s.enqueue(agent);
        Ok(id)
    }

    /// Gives the runtime the builder of non-Tcl programs (WebAssembly).
    pub fn set_program_factory(&self, factory: Arc<dyn ProgramFactory>) {
        let _ = self.shared.program_factory.set(factory);
    }
}

impl Shared {
    /// A program from its snapshot, in the language its magic names.
    pub(crate) fn restore_program(&self, snapshot: &[u8]) -> Result<Box<dyn Program>, String> {
        if snapshot.starts_with(crate::program::TCL_MAGIC) {
            // `attach` gives it the agent commands: their entries in the
            // snapshot need not be rebuilt.
            let interp = itinerant_tcl::snapshot::restore_with_hosts(snapshot, crate::agent_cmds::commands());
            return Ok(Box::new(interp.map_err(|e| e.to_string())?));
        }
        match self.program_factory.get() {
            Some(f) => f.restore(snapshot),
            None => {
                Err(format!("a {} snapshot, and this node runs only Agent Tcl", crate::program::language_of(snapshot)))
            }
        }
    }
}
