//! The interpreter interface: what the runtime needs of an agent's program,
//! whatever its language. Agent Tcl (`itinerant_tcl::Interp`) implements it
//! here; WebAssembly agents implement it in `itinerant-wasm`, which the
//! runtime cannot name: the node hands it a [`ProgramFactory`] that builds
//! and restores them.
//!
//! A program runs for a budget and stops with an [`Outcome`] (finished,
//! error, out of budget, or a [`HostRequest`] the runtime serves and answers
//! with [`Program::resume`]); its whole state goes to bytes with
//! [`Program::snapshot`], whose first four bytes name its language
//! ([`language_of`]).

use std::sync::{Arc, Weak};

use itinerant_tcl::{HostRequest, Interp, Outcome};

use crate::runtime::{AgentId, Message, Shared};

/// The magic of Agent Tcl snapshots (`itinerant_tcl::snapshot`).
pub const TCL_MAGIC: &[u8; 4] = itinerant_tcl::snapshot::MAGIC;

/// An agent's program, as the scheduler, mailboxes, migration and
/// checkpoints see it.
pub trait Program: Send {
    /// `"tcl"` or `"wasm"` (shown by `itin agents` and the dashboard).
    fn language(&self) -> &'static str;

    /// Runs for about `budget` instructions (Tcl instructions; other
    /// languages scale theirs to match).
    fn run(&mut self, budget: u64) -> Outcome;

    /// Answers the pending host request.
    fn resume(&mut self, result: Result<String, String>) -> Result<(), String>;

    /// The host request the program waits on, if any (kept in snapshots,
    /// so a restored program asks again).
    fn pending_request(&self) -> Option<&HostRequest>;

    /// Instructions run so far (for the instruction-rate quota).
    fn instructions_run(&self) -> u64;

    /// Writes out buffered console output.
    fn flush_output(&mut self) {}

    /// The whole state as bytes, starting with the language's magic.
    fn snapshot(&self) -> Result<Vec<u8>, String>;

    /// Bytes of memory the program holds.
    fn memory_in_use(&self) -> usize;

    /// Sets a field of the agent's identity (`local`, `name`, `node`,
    /// `home`, `root`, `owner`: Tcl's `agent` array).
    fn set_agent_field(&mut self, key: &str, value: &str) -> Result<(), String>;

    /// Sets a variable the submitter gave (`itin submit --var`): a Tcl
    /// global, or a parameter a wasm agent reads (`itin_param NAME`).
    fn set_program_var(&mut self, name: &str, value: &str) -> Result<(), String>;

    /// A field set by `set_agent_field` (or by the program itself).
    fn agent_field(&self, key: &str) -> Option<String>;

    /// Answers a pending `agent_receive` with message `m` (`code_var` and
    /// `body_var` are the Tcl variables it names; a language without
    /// variables gets the message as the request's result).
    fn deliver_message(&mut self, code_var: &str, body_var: &str, m: Message);

    /// Answers the pending request by evaluating a Tcl script (`package
    /// require`); languages other than Tcl refuse.
    fn resume_eval(&mut self, script: &str, annotation: Option<&str>) -> Result<(), String> {
        let _ = (script, annotation);
        self.resume(Err("package require is for Agent Tcl agents".into()))
    }

    /// Connects a program (new or restored) to its agent and the runtime:
    /// the agent commands, the console, the memory quota.
    fn attach(&mut self, host: AgentHost, memory_limit: usize);

    /// The Tcl interpreter, for Tcl-only operations.
    fn as_tcl_mut(&mut self) -> Option<&mut Interp> {
        None
    }
}

/// Builds and restores programs of languages other than Tcl (provided by
/// the node, which knows the wasm runtime and where modules are kept).
pub trait ProgramFactory: Send + Sync {
    /// A new program from `code` (the submitted module, already prepared by
    /// [`ProgramFactory::prepare`] or named by its hash).
    fn create(&self, code: &[u8]) -> Result<Box<dyn Program>, String>;

    /// A program from its snapshot.
    fn restore(&self, snapshot: &[u8]) -> Result<Box<dyn Program>, String>;

    /// The code segments (content hashes) a snapshot needs.
    fn code_of(&self, snapshot: &[u8]) -> Option<String> {
        let _ = snapshot;
        None
    }
}

/// The language whose magic starts `snapshot`.
pub fn language_of(snapshot: &[u8]) -> &'static str {
    match snapshot.get(..4) {
        Some(m) if m == TCL_MAGIC => "tcl",
        Some(b"ITWA") => "wasm",
        _ => "unknown",
    }
}

/// A message handed to a program without variables: the Tcl list
/// `{sender code body}` (sender empty from outside the platform).
pub fn plain_message_words(m: &Message) -> String {
    let from = m.from.as_ref().map(|f| f.to_string()).unwrap_or_default();
    let words = [
        itinerant_tcl::Value::from(from),
        itinerant_tcl::Value::int(m.code),
        itinerant_tcl::Value::from(m.body.as_str()),
    ];
    itinerant_tcl::Value::list(words.to_vec()).as_str().into_owned()
}

/// What a host call of a non-Tcl agent comes to: done at once, an error, or
/// a request that makes the agent wait (served like a Tcl host request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostCall {
    Done(String),
    Error(String),
    Suspend(HostRequest),
}

/// A program's link to its agent: the runtime and the agent's id. Calls
/// go to the same functions, and the same owner-grant checks, as the
/// agent commands of Agent Tcl (`agent_cmds.rs`).
#[derive(Clone)]
pub struct AgentHost {
    pub(crate) shared: Weak<Shared>,
    pub(crate) id: AgentId,
}

impl AgentHost {
    pub(crate) fn new(shared: &Arc<Shared>, id: &AgentId) -> AgentHost {
        AgentHost { shared: Arc::downgrade(shared), id: id.clone() }
    }

    /// The agent's id.
    pub fn id(&self) -> &AgentId {
        &self.id
    }

    /// Runs agent command `words` (as Tcl words: `acl send -performative
    /// inform ...`, `df search -type T`, `agent_jump NODE`, `puts TEXT`).
    pub fn call(&self, words: &[String]) -> HostCall {
        crate::agent_cmds::call_for_program(&self.shared, &self.id, words)
    }
}

impl std::fmt::Debug for AgentHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AgentHost({})", self.id)
    }
}

impl Program for Interp {
    fn language(&self) -> &'static str {
        "tcl"
    }

    fn run(&mut self, budget: u64) -> Outcome {
        Interp::run(self, budget)
    }

    fn resume(&mut self, result: Result<String, String>) -> Result<(), String> {
        Interp::resume(self, result)
    }

    fn pending_request(&self) -> Option<&HostRequest> {
        Interp::pending_request(self)
    }

    fn instructions_run(&self) -> u64 {
        Interp::instructions_run(self)
    }

    fn flush_output(&mut self) {
        Interp::flush_output(self)
    }

    fn snapshot(&self) -> Result<Vec<u8>, String> {
        itinerant_tcl::snapshot::save(self).map_err(|e| e.to_string())
    }

    fn memory_in_use(&self) -> usize {
        self.memory_used()
    }

    fn set_agent_field(&mut self, key: &str, value: &str) -> Result<(), String> {
        // Global: an agent arriving inside a proc stands in the proc's frame.
        self.set_global_var(&format!("agent({key})"), value)
    }

    fn agent_field(&self, key: &str) -> Option<String> {
        self.global_var(&format!("agent({key})"))
    }

    fn set_program_var(&mut self, name: &str, value: &str) -> Result<(), String> {
        self.set_global_var(name, value)
    }

    fn deliver_message(&mut self, code_var: &str, body_var: &str, m: Message) {
        let r = crate::runtime::deliver_plain(self, code_var, body_var, m);
        let _ = Interp::resume(self, r);
    }

    fn resume_eval(&mut self, script: &str, annotation: Option<&str>) -> Result<(), String> {
        Interp::resume_eval(self, script, annotation)
    }

    fn attach(&mut self, host: AgentHost, memory_limit: usize) {
        if let Some(s) = host.shared.upgrade() {
            self.set_output(Box::new(crate::runtime::Console::new(&s, &host.id)));
        }
        crate::agent_cmds::install(self, host.shared, &host.id);
        self.set_memory_limit(Some(memory_limit));
    }

    fn as_tcl_mut(&mut self) -> Option<&mut Interp> {
        Some(self)
    }
}
