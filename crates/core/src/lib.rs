//! The agent runtime: agents are interpreters scheduled M:N over a fixed
//! pool of worker threads, preempted by instruction budget, each with a
//! mailbox.
//!
//! An agent is an [`itinerant_tcl::Interp`] plus its identity and mailbox.
//! Workers take runnable agents from one run queue and run each for a
//! budget of instructions; an agent that uses its budget goes to the back of
//! the queue, so `while 1 {}` in one agent cannot stall the others. When an
//! agent asks to receive and its mailbox is empty, or sleeps with `after`,
//! it is parked (taking no worker) until a message or its timer wakes it.
//!
//! The runtime knows no sockets: a node (`itinerant-node`, to come) will
//! deliver remote messages through [`Runtime::send`].
//!
//! ```
//! use itinerant_core::{Runtime, RuntimeConfig};
//! use std::time::Duration;
//! let rt = Runtime::new(RuntimeConfig::for_node("alpha"));
//! let echo = rt.spawn("agent_receive code body; set r \"got $code $body\"", None).unwrap();
//! rt.send_text(&echo, None, 7, "hello").unwrap();
//! let done = rt.wait(&echo, Duration::from_secs(5)).unwrap();
//! assert_eq!(done.result, Ok("got 7 hello".to_string()));
//! rt.shutdown();
//! ```
//!
//! Guarantees: messages from one sender agent to one receiver arrive once
//! and in the order sent, also when either moves ([`ordering`]). An agent runs on at most one worker at a
//! time. Given a store ([`Runtime::set_persist`]), agents are checkpointed
//! ([`checkpoint`]) and [`Runtime::restore`] continues one from its image.
//! Not guaranteed (yet): fairness beyond round-robin by budget slices.

pub mod acl;
mod agent_cmds;
pub mod blocking;
pub mod checkpoint;
pub mod df;
pub mod fipa;
pub mod fipa_string;
pub mod inspect;
pub mod library;
mod object_cmds;
pub mod observe;
pub mod ordering;
pub mod owner;
mod package;
pub mod program;
pub mod quota;
mod resource_cmds;
pub mod resources;
mod runtime;

pub use acl::{Acl, AclFilter};
pub use checkpoint::{AgentImage, Persist};
pub use inspect::{AgentDetail, AgentSummary, ConsoleChunk};
pub use library::{Library, Requirement};
pub use owner::{Authority, Credential, Entry, Grant, Owner, OwnerKey, Submission};
pub use program::{AgentHost, HostCall, Program, ProgramFactory};
pub use quota::Quotas;
pub use runtime::{
    AgentId, AgentOutcome, AgentState, AgentView, Departure, DepartureKind, DepartureOutcome, Endpoints, KeyValue,
    Load, MemoryKeyValue, Message, Movable, MoveStatus, Prepared, Router, Runtime, RuntimeConfig, SendError,
};
