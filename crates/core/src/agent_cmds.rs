//! The agent commands of Agent Tcl, as host commands of each agent's
//! interpreter: `agent_send`, `agent_receive`, `agent_begin`, `agent_name`,
//! `agent_end`, `agent_info`, `after`. Commands that wait (`agent_receive`,
//! `after`) suspend the VM with a request that the worker serves; the others
//! act at once.

use std::sync::Weak;

use itinerant_tcl::error::TCL_EXIT;
use itinerant_tcl::interp::HostFn;
use itinerant_tcl::{Exception, HostRequest, HostResult, Interp, Value};

use crate::runtime::{AgentId, Message, Shared};

/// Longest `-timeout` or `after` accepted, so that a wait always ends.
const MAX_WAIT_MS: i64 = 7 * 24 * 3600 * 1000;

fn err(msg: impl Into<String>) -> HostResult {
    HostResult::Error(Exception::error(msg))
}

/// Installs the agent commands in `interp`, for agent `id`.
pub(crate) fn install(interp: &mut Interp, shared: Weak<Shared>, id: &AgentId) {
    let me = id.clone();
    let s = shared.clone();
    let send: HostFn = Box::new(move |_, args: &[Value]| agent_send(&s, &me, args));
    interp.register_host("agent_send", send);

    let receive: HostFn = Box::new(|_, args: &[Value]| agent_receive(args));
    interp.register_host("agent_receive", receive);

    let after: HostFn = Box::new(|_, args: &[Value]| after(args));
    interp.register_host("after", after);

    let me = id.clone();
    let begin: HostFn = Box::new(move |_, args: &[Value]| {
        if args.len() > 2 {
            return err("wrong # args: should be \"agent_begin ?node?\"");
        }
        HostResult::Done(Value::from(me.as_str()))
    });
    interp.register_host("agent_begin", begin);

    let (me, s) = (id.clone(), shared.clone());
    let name: HostFn = Box::new(move |interp: &mut Interp, args: &[Value]| agent_name(&s, &me, interp, args));
    interp.register_host("agent_name", name);

    let end: HostFn = Box::new(|_, _| HostResult::Error(Exception::new(TCL_EXIT, Value::int(0))));
    interp.register_host("agent_end", end);

    let (me, s) = (id.clone(), shared);
    let info: HostFn = Box::new(move |_, args: &[Value]| agent_info(&s, &me, args));
    interp.register_host("agent_info", info);
}

fn agent_send(shared: &Weak<Shared>, me: &AgentId, args: &[Value]) -> HostResult {
    if args.len() != 4 {
        return err("wrong # args: should be \"agent_send id code string\"");
    }
    let code = match args[2].as_int() {
        Ok(c) => c,
        Err(e) => return HostResult::Error(e),
    };
    let Some(s) = shared.upgrade() else { return err("the runtime is shutting down") };
    let target = args[1].as_str();
    let Some(to) = s.lookup(&target) else {
        return err(format!("no agent \"{target}\""));
    };
    match s.send(&to, Message { from: Some(me.clone()), code, body: args[3].as_str().into_owned() }) {
        Ok(()) => HostResult::Done(Value::empty()),
        Err(e) => err(e.to_string()),
    }
}

/// `agent_receive codeVar stringVar ?-blocking? ?-nonblocking? ?-timeout MS?`
fn agent_receive(args: &[Value]) -> HostResult {
    let usage = "wrong # args: should be \"agent_receive codeVar stringVar ?-blocking? ?-nonblocking? ?-timeout ms?\"";
    if args.len() < 3 {
        return err(usage);
    }
    let mut nonblocking = false;
    let mut timeout = String::new();
    let mut i = 3;
    while i < args.len() {
        match &*args[i].as_str() {
            "-blocking" => nonblocking = false,
            "-nonblocking" => nonblocking = true,
            "-timeout" => {
                i += 1;
                let Some(ms) = args.get(i) else { return err(usage) };
                match ms.as_int() {
                    Ok(ms) if (0..=MAX_WAIT_MS).contains(&ms) => timeout = ms.to_string(),
                    Ok(ms) => return err(format!("bad timeout \"{ms}\": must be 0 to {MAX_WAIT_MS} ms")),
                    Err(e) => return HostResult::Error(e),
                }
            }
            other => return err(format!("bad option \"{other}\": must be -blocking, -nonblocking, or -timeout")),
        }
        i += 1;
    }
    HostResult::Suspend(HostRequest {
        command: "agent_receive".into(),
        args: vec![
            args[1].as_str().into_owned(),
            args[2].as_str().into_owned(),
            if nonblocking { "1".into() } else { "0".into() },
            timeout,
        ],
    })
}

fn after(args: &[Value]) -> HostResult {
    if args.len() != 2 {
        return err("wrong # args: should be \"after ms\"");
    }
    match args[1].as_int() {
        Ok(ms) if ms <= 0 => HostResult::Done(Value::empty()),
        Ok(ms) if ms <= MAX_WAIT_MS => {
            HostResult::Suspend(HostRequest { command: "after".into(), args: vec![ms.to_string()] })
        }
        Ok(ms) => err(format!("bad argument \"{ms}\": sleeps are limited to {MAX_WAIT_MS} ms")),
        Err(_) => err(format!("bad argument \"{}\": must be cancel, idle, info, or an integer", args[1].as_str())),
    }
}

fn agent_name(shared: &Weak<Shared>, me: &AgentId, interp: &mut Interp, args: &[Value]) -> HostResult {
    if args.len() != 2 {
        return err("wrong # args: should be \"agent_name name\"");
    }
    let name = args[1].as_str().into_owned();
    let Some(s) = shared.upgrade() else { return err("the runtime is shutting down") };
    if let Some(other) = s.lookup(&name) {
        if &other != me {
            return err(format!("name \"{name}\" is taken by agent {other}"));
        }
    }
    if let Some(slot) = s.slots.lock().unwrap_or_else(|e| e.into_inner()).get_mut(me) {
        slot.name = Some(name.clone());
    }
    if let Err(e) = interp.set_var("agent(name)", &name) {
        return err(e);
    }
    HostResult::Done(Value::from(name))
}

/// `agent_info ?id?`: a dict with id, name, node, state, home.
fn agent_info(shared: &Weak<Shared>, me: &AgentId, args: &[Value]) -> HostResult {
    if args.len() > 2 {
        return err("wrong # args: should be \"agent_info ?id?\"");
    }
    let Some(s) = shared.upgrade() else { return err("the runtime is shutting down") };
    let id = match args.get(1) {
        Some(a) => match s.lookup(&a.as_str()) {
            Some(id) => id,
            None => return err(format!("no agent \"{}\"", a.as_str())),
        },
        None => me.clone(),
    };
    let slots = s.slots.lock().unwrap_or_else(|e| e.into_inner());
    let Some(slot) = slots.get(&id) else { return err(format!("no agent \"{id}\"")) };
    let items = vec![
        Value::from("id"),
        Value::from(id.as_str()),
        Value::from("name"),
        Value::from(slot.name.clone().unwrap_or_default()),
        Value::from("node"),
        Value::from(s.config.node.as_str()),
        Value::from("state"),
        Value::from(slot.state.name()),
        Value::from("home"),
        Value::from(id.home()),
    ];
    HostResult::Done(Value::list(items))
}
