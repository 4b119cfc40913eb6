//! The Tcl side of resource bindings: `resource` (bind, inspect, release,
//! file operations on a handle, listening endpoints) and `store` (the node's key-value
//! store through the agent's store binding). Binding changes act at once;
//! operations that touch a file or the store suspend the VM with a
//! `resource_io` request served on the blocking pool, at the node that
//! holds the resource (`runtime/resource_io.rs`).

use std::sync::Weak;

use itinerant_tcl::{Exception, HostRequest, HostResult, Value};

use crate::resources::{Action, Attach, By, Kind, Resource};
use crate::runtime::{lock, parse_port, AgentId, Shared};

/// Most bindings one agent holds.
const MAX_BINDINGS: usize = 64;

fn err(msg: impl Into<String>) -> HostResult {
    HostResult::Error(Exception::error(msg))
}

fn words(args: &[Value]) -> Vec<String> {
    args.iter().map(|a| a.as_str().into_owned()).collect()
}

/// Runs `f` on the agent's bindings and this node's name.
fn with_bindings<T>(
    shared: &Weak<Shared>,
    me: &AgentId,
    f: impl FnOnce(&mut Vec<Resource>, &str) -> Result<T, String>,
) -> Result<T, String> {
    let s = shared.upgrade().ok_or("the runtime is shutting down")?;
    let mut slots = lock(&s.slots);
    let slot = slots.get_mut(me).ok_or("this agent is not registered")?;
    f(&mut slot.resources, &s.config.node)
}

/// The operation `op` on the node holding `r`, as a request the worker
/// serves.
fn io(r: &Resource, op: &str, args: &[&str]) -> HostResult {
    let mut all = vec![r.node.clone(), op.to_owned()];
    all.extend(args.iter().map(|a| a.to_string()));
    HostResult::Suspend(HostRequest { command: "resource_io".into(), args: all })
}

fn find<'a>(bindings: &'a [Resource], handle: &str) -> Result<&'a Resource, String> {
    bindings.iter().find(|r| r.handle == handle).ok_or_else(|| format!("no resource \"{handle}\""))
}

/// `resource file PATH ?opts?`, `resource store ?PREFIX? ?opts?`,
/// `resource console ?opts?`, `resource list|info|release`, and the file
/// operations `read write append exists size delete`.
pub(crate) fn resource_cmd(shared: &Weak<Shared>, me: &AgentId, args: &[Value]) -> HostResult {
    let w = words(args);
    let sub = w.get(1).map(String::as_str).unwrap_or("");
    match sub {
        "file" | "store" | "console" => bind(shared, me, &w[1..]),
        "listen" => listen(shared, me, &w[2..]),
        "list" => match with_bindings(shared, me, |b, _| Ok(b.iter().map(|r| Value::from(r.handle.as_str())).collect())) {
            Ok(handles) => HostResult::Done(Value::list(handles)),
            Err(e) => err(e),
        },
        "info" | "release" | "read" | "write" | "append" | "exists" | "size" | "delete" | "address" => {
            let Some(handle) = w.get(2) else { return err(format!("wrong # args: should be \"resource {sub} handle ...\"")) };
            let found = with_bindings(shared, me, |b, _| {
                let r = find(b, handle)?.clone();
                if sub == "release" {
                    b.retain(|x| x.handle != *handle);
                }
                Ok(r)
            });
            let r = match found {
                Ok(r) => r,
                Err(e) => return err(e),
            };
            match sub {
                "release" if r.kind == Kind::Endpoint => io(&r, "endpoint-close", &[&me.to_string(), handle]),
                "release" => HostResult::Done(Value::empty()),
                "info" => {
                    let items = r.describe().into_iter().flat_map(|(k, v)| [Value::from(k), Value::from(v)]).collect();
                    HostResult::Done(Value::list(items))
                }
                "address" | "write" if r.kind == Kind::Endpoint => endpoint_io(&r, me, &w[1..]),
                "address" => err(format!("resource \"{handle}\" is a {}, not an endpoint", r.kind.name())),
                _ if r.kind != Kind::File => err(format!("resource \"{handle}\" is a {}, not a file", r.kind.name())),
                "write" | "append" => match w.get(3) {
                    Some(data) if w.len() == 4 => io(&r, &format!("file-{sub}"), &[&r.target, data]),
                    _ => err(format!("wrong # args: should be \"resource {sub} handle data\"")),
                },
                _ if w.len() != 3 => err(format!("wrong # args: should be \"resource {sub} handle\"")),
                op => io(&r, &format!("file-{op}"), &[&r.target]),
            }
        }
        _ => err(format!(
            "bad option \"{sub}\": must be file, store, console, listen, list, info, release, read, write, append, exists, size, delete or address"
        )),
    }
}

/// `resource KIND ?TARGET? ?-by id|value|type? ?-attach A? ?-on-move ACTION?`
fn bind(shared: &Weak<Shared>, me: &AgentId, w: &[String]) -> HostResult {
    let kind = Kind::from_name(&w[0]).expect("caller matched the kind");
    let mut rest = &w[1..];
    let target = match kind {
        Kind::File => match rest.split_first() {
            Some((path, more)) if !path.starts_with('-') => {
                rest = more;
                path.clone()
            }
            _ => {
                return err(
                    "wrong # args: should be \"resource file path ?-by binding? ?-attach a? ?-on-move action?\"",
                )
            }
        },
        Kind::Store => match rest.split_first() {
            Some((prefix, more)) if !prefix.starts_with('-') => {
                rest = more;
                prefix.clone()
            }
            _ => String::new(),
        },
        Kind::Console => String::new(),
        Kind::Endpoint => match rest.split_first() {
            Some((port, more)) if !port.starts_with('-') => {
                if let Err(e) = parse_port(port) {
                    return err(e);
                }
                rest = more;
                port.clone()
            }
            _ => "0".to_owned(),
        },
    };
    let target = match kind {
        Kind::File => match owner_dir(shared, me, &target) {
            Ok(t) => t,
            Err(e) => return err(e),
        },
        _ => target,
    };
    let (mut by, mut attach, mut action) = (By::Identifier, None, None);
    for pair in rest.chunks(2) {
        let [opt, val] = pair else { return err(format!("option \"{}\" needs a value", pair[0])) };
        let bad = |what: &str, allowed: &str| err(format!("bad {what} \"{val}\": must be {allowed}"));
        match opt.as_str() {
            "-by" => match By::from_name(val) {
                Some(b) => by = b,
                None => return bad("binding", "id, value or type"),
            },
            "-attach" => match Attach::from_name(val) {
                Some(a) => attach = Some(a),
                None => return bad("attachment", "unattached, fastened or fixed"),
            },
            "-on-move" => match Action::from_name(val) {
                Some(a) => action = Some(a),
                None => return bad("action", "move, ref, copy or rebind"),
            },
            _ => return err(format!("bad option \"{opt}\": must be -by, -attach or -on-move")),
        }
    }
    let bound = with_bindings(shared, me, |bindings, node| {
        if kind == Kind::Console {
            // One console: a new binding replaces the old.
            bindings.retain(|r| r.kind != Kind::Console);
        }
        if bindings.len() >= MAX_BINDINGS {
            return Err(format!("an agent holds at most {MAX_BINDINGS} resources"));
        }
        let handle = match kind {
            Kind::Console => "console".to_owned(),
            _ => next_handle(bindings, kind),
        };
        let r = Resource::new(handle.clone(), kind, target, by, attach, action, node).map_err(|e| e.0)?;
        bindings.push(r);
        Ok(handle)
    });
    match bound {
        Ok(handle) => HostResult::Done(Value::from(handle)),
        Err(e) => err(e),
    }
}

/// `resource listen ?PORT? ?-by id|type? ?-on-move ref|rebind?`: binds a
/// new endpoint and opens it here at once (binding a socket does not
/// block); one that cannot open is no binding.
fn listen(shared: &Weak<Shared>, me: &AgentId, w: &[String]) -> HostResult {
    let mut words = vec![Kind::Endpoint.name().to_owned()];
    words.extend_from_slice(w);
    let handle = match bind(shared, me, &words) {
        HostResult::Done(h) => h.as_str().into_owned(),
        other => return other,
    };
    let opened = with_bindings(shared, me, |b, _| Ok(find(b, &handle)?.clone()))
        .and_then(|r| shared.upgrade().ok_or("the runtime is shutting down".into()).map(|s| (s, r)))
        .and_then(|(s, r)| s.open_endpoint(me, &r));
    match opened {
        Ok(_) => HostResult::Done(Value::from(handle)),
        Err(e) => {
            let _ = with_bindings(shared, me, |b, _| {
                b.retain(|r| r.handle != handle);
                Ok(())
            });
            err(format!("cannot listen: {e}"))
        }
    }
}

/// `resource address H` and `resource write H CONN LINE` on an endpoint,
/// run on the node that holds it.
fn endpoint_io(r: &Resource, me: &AgentId, w: &[String]) -> HostResult {
    let me = me.to_string();
    match (w[0].as_str(), w.len()) {
        ("address", 2) => io(r, "endpoint-address", &[&me, &r.handle]),
        ("write", 4) => match w[2].parse::<u64>() {
            Ok(_) => io(r, "endpoint-write", &[&me, &r.handle, &w[2], &w[3]]),
            Err(_) => err(format!("bad connection \"{}\": must be the number a line came with", w[2])),
        },
        ("address", _) => err("wrong # args: should be \"resource address handle\""),
        _ => err("wrong # args: should be \"resource write handle connection line\""),
    }
}

/// The directory of a signed agent's owner inside the node's sandbox:
/// owners never see each other's files (unsigned agents share the
/// sandbox's top level, which cannot name it).
pub const OWNERS_DIR: &str = ".owners";

/// `path` as it lies in the sandbox for agent `me`: under its owner's
/// directory if it has an owner.
fn owner_dir(shared: &Weak<Shared>, me: &AgentId, path: &str) -> Result<String, String> {
    if path.split('/').next() == Some(OWNERS_DIR) {
        return Err(format!("bad file path \"{path}\": {OWNERS_DIR} is reserved"));
    }
    let s = shared.upgrade().ok_or("the runtime is shutting down")?;
    let owner = lock(&s.slots).get(me).and_then(|slot| slot.credential.as_ref().map(|c| c.owner.key_text()));
    Ok(match owner {
        Some(key) => format!("{OWNERS_DIR}/{}/{path}", key.trim_start_matches("ed25519:")),
        None => path.to_owned(),
    })
}

/// `file1`, `store2`...: one more than the highest number in use.
fn next_handle(bindings: &[Resource], kind: Kind) -> String {
    let n = bindings
        .iter()
        .filter_map(|r| r.handle.strip_prefix(kind.name()).and_then(|n| n.parse::<u32>().ok()))
        .max()
        .unwrap_or(0);
    format!("{}{}", kind.name(), n + 1)
}

/// `store ?-handle H? get|exists|set|unset|keys ...`: through the named
/// store binding, or the agent's first one; an agent with none is bound
/// to this node's store by identifier.
pub(crate) fn store_cmd(shared: &Weak<Shared>, me: &AgentId, args: &[Value]) -> HostResult {
    let mut w = &words(args)[1..];
    let mut handle = None;
    if w.first().is_some_and(|a| a == "-handle") {
        handle = w.get(1).cloned();
        w = w.get(2..).unwrap_or_default();
    }
    let usage = "wrong # args: should be \"store ?-handle h? get|exists|set|unset|keys ...\"";
    let Some(sub) = w.first() else { return err(usage) };
    let found = with_bindings(shared, me, |bindings, node| {
        if let Some(h) = &handle {
            let r = find(bindings, h)?;
            if r.kind != Kind::Store {
                return Err(format!("resource \"{h}\" is a {}, not a store", r.kind.name()));
            }
            return Ok(r.clone());
        }
        if let Some(r) = bindings.iter().find(|r| r.kind == Kind::Store) {
            return Ok(r.clone());
        }
        if bindings.len() >= MAX_BINDINGS {
            return Err(format!("an agent holds at most {MAX_BINDINGS} resources"));
        }
        let r = Resource::new(
            next_handle(bindings, Kind::Store),
            Kind::Store,
            String::new(),
            By::Identifier,
            None,
            None,
            node,
        )
        .map_err(|e| e.0)?;
        bindings.push(r.clone());
        Ok(r)
    });
    let r = match found {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    let key = |i: usize| format!("{}{}", r.target, w[i]);
    match (sub.as_str(), w.len()) {
        ("get", 2) => io(&r, "store-get", &[&key(1)]),
        ("exists", 2) => io(&r, "store-exists", &[&key(1)]),
        ("unset", 2) => io(&r, "store-unset", &[&key(1)]),
        ("set", 3) => io(&r, "store-set", &[&key(1), &w[2]]),
        ("keys", 1) => io(&r, "store-keys", &[&r.target, "*"]),
        ("keys", 2) => io(&r, "store-keys", &[&r.target, &w[1]]),
        _ => err(usage),
    }
}
