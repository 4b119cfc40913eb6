//! The object commands against a running node: `itin adapter
//! create|list|remove`, `itin object add|list|remove|move` and `itin call
//! REF METHOD ?ARG ...?` (requests of `itinerant_node::objects::proto`).

use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use itinerant_node::control::{ReplyBody, RequestBody};
use itinerant_node::objects::proto::{Call, CallOutcome, ObjectReply, ObjectRequest};
use itinerant_node::objects::servant::{Body, MAX_SCRIPT};
use serde::Serialize;

use crate::client::{print_rows, unexpected, Client, Failure};

#[derive(Subcommand)]
pub enum AdapterCmd {
    /// Create an object adapter, e.g. `itin adapter create bank threading=single activation=on-demand idle-ms=500`.
    Create {
        name: String,
        /// threading=single|per-object|per-request|pool:N instance=single|session|per-call
        /// lifespan=transient|persistent activation=eager|on-demand idle-ms=MS
        /// organisation=iterative|threaded|event caching=strict:MS|relaxed:MS
        policy: Vec<String>,
    },
    /// The node's adapters with their policies.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove an adapter with its objects.
    Remove { name: String },
}

#[derive(Subcommand)]
pub enum ObjectCmd {
    /// Add an object whose servant is a Tcl script (its procs are the
    /// methods) or a Rust type the node registered (--rust TYPE).
    Add {
        adapter: String,
        id: String,
        /// The servant's Tcl script.
        #[arg(required_unless_present = "rust")]
        file: Option<String>,
        #[arg(long, value_name = "TYPE", conflicts_with = "file")]
        rust: Option<String>,
    },
    /// The objects of one adapter (or all).
    List {
        adapter: Option<String>,
        #[arg(long)]
        json: bool,
    },
    Remove {
        adapter: String,
        id: String,
    },
    /// Move an object to another node (calls to its old reference follow).
    Move {
        adapter: String,
        id: String,
        #[arg(value_name = "NODE")]
        dest: String,
    },
}

fn object(node: &str, req: ObjectRequest, wait: Duration) -> Result<ObjectReply, String> {
    match Client::connect(node)?.call_within(RequestBody::Object(req), wait)? {
        ReplyBody::Object(o) => Ok(o),
        other => Err(unexpected(other)),
    }
}

const WAIT: Duration = Duration::from_secs(10);

#[derive(Serialize)]
struct AdapterJson<'a> {
    name: &'a str,
    policy: &'a str,
    objects: u64,
    running: u64,
    queued: u64,
}

#[derive(Serialize)]
struct ObjectJson<'a> {
    reference: &'a str,
    kind: &'a str,
    active: u64,
    activations: u64,
    calls: u64,
}

pub fn adapter(node: &str, cmd: AdapterCmd) -> Result<ExitCode, Failure> {
    match cmd {
        AdapterCmd::Create { name, policy } => {
            object(node, ObjectRequest::AdapterCreate { name, policy: policy.join(" ") }, WAIT)?;
        }
        AdapterCmd::Remove { name } => {
            object(node, ObjectRequest::AdapterRemove { name }, WAIT)?;
        }
        AdapterCmd::List { json } => {
            let ObjectReply::Adapters(rows) = object(node, ObjectRequest::AdapterList, WAIT)? else {
                return Err("unexpected answer from node".to_string().into());
            };
            let items: Vec<AdapterJson> = rows
                .iter()
                .map(|a| AdapterJson {
                    name: &a.name,
                    policy: &a.policy,
                    objects: a.objects,
                    running: a.running,
                    queued: a.queued,
                })
                .collect();
            print_rows(json, &items, &["NAME", "OBJECTS", "RUNNING", "QUEUED", "POLICY"], |a| {
                let counts = [a.objects, a.running, a.queued].map(|n| n.to_string());
                [vec![a.name.to_owned()], counts.to_vec(), vec![a.policy.to_owned()]].concat()
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn object_cmd(node: &str, cmd: ObjectCmd) -> Result<ExitCode, Failure> {
    match cmd {
        ObjectCmd::Add { adapter, id, file, rust } => {
            let body = match (file, rust) {
                (_, Some(t)) => Body::Rust(t),
                (Some(f), None) => {
                    let meta = std::fs::metadata(&f).map_err(|e| format!("couldn't read \"{f}\": {e}"))?;
                    if meta.len() > MAX_SCRIPT as u64 {
                        return Err(format!("\"{f}\" is larger than {MAX_SCRIPT} bytes").into());
                    }
                    Body::Tcl(std::fs::read_to_string(&f).map_err(|e| format!("couldn't read \"{f}\": {e}"))?)
                }
                (None, None) => return Err("give a script file or --rust TYPE".to_string().into()),
            };
            if let ObjectReply::Reference(r) = object(node, ObjectRequest::ObjectAdd { adapter, id, body }, WAIT)? {
                println!("{r}");
            }
        }
        ObjectCmd::Remove { adapter, id } => {
            object(node, ObjectRequest::ObjectRemove { adapter, id }, WAIT)?;
        }
        ObjectCmd::Move { adapter, id, dest } => {
            if let ObjectReply::Reference(r) =
                object(node, ObjectRequest::ObjectMove { adapter, id, node: dest }, WAIT)?
            {
                println!("{r}");
            }
        }
        ObjectCmd::List { adapter, json } => {
            let ObjectReply::Objects(rows) = object(node, ObjectRequest::ObjectList { adapter }, WAIT)? else {
                return Err("unexpected answer from node".to_string().into());
            };
            let items: Vec<ObjectJson> = rows
                .iter()
                .map(|o| ObjectJson {
                    reference: &o.reference,
                    kind: &o.kind,
                    active: o.active,
                    activations: o.activations,
                    calls: o.calls,
                })
                .collect();
            print_rows(json, &items, &["REFERENCE", "KIND", "ACTIVE", "ACTIVATIONS", "CALLS"], |o| {
                let counts = [o.active, o.activations, o.calls].map(|n| n.to_string());
                [vec![o.reference.to_owned(), o.kind.to_owned()], counts.to_vec()].concat()
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `itin call REF METHOD ARG...`: prints the result; a failed call exits 1
/// with the error. Moves are followed by the node.
pub fn call(
    node: &str,
    target: String,
    method: String,
    args: Vec<String>,
    timeout_ms: u64,
) -> Result<ExitCode, Failure> {
    let session = format!("itin-{}", std::process::id());
    let call = Call { target, method, args, session, timeout_ms, ..Call::default() };
    let wait = Duration::from_millis(timeout_ms) + Duration::from_secs(2);
    match object(node, ObjectRequest::Call { call, follow: true }, wait)? {
        ObjectReply::Called(CallOutcome::Ok(r)) => {
            println!("{r}");
            Ok(ExitCode::SUCCESS)
        }
        ObjectReply::Called(CallOutcome::Err(e) | CallOutcome::Unavailable(e)) => Err(e.into()),
        ObjectReply::Called(CallOutcome::Moved(r)) => Err(format!("object moved to {r}").into()),
        other => Err(format!("unexpected answer from node: {other:?}").into()),
    }
}
